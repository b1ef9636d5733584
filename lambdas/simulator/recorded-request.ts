import { END_PATH } from './api-routes.ts';

/** One request the simulator received, as the tests and the bench inspect it. */
export interface RecordedRequest {
  method: string;
  /** Without query. */
  path: string;
  query: string;
  /** Lower-case names, as received. */
  headers: Record<string, string>;
  /** Sim clock at arrival. */
  atMs: number;
  /** Status sent, 0 for reset/hang (or not answered yet). */
  status: number;
  /** For /session/{id}/end: that session's exact meter (Wh) at arrival, else null. */
  sessionEnergyWh: number | null;
}

/** Whether the request is a `POST /session/{id}/end` (of that session, when given). */
export function isEndRequest(request: RecordedRequest, sessionId?: string): boolean {
  if (request.method !== 'POST') return false;
  const match = END_PATH.exec(request.path);
  return match !== null && (sessionId === undefined || match[1] === sessionId);
}
