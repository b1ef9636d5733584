import { InvalidResponseError } from '../../errors.ts';
import { PLAIN_ID } from './schemas.ts';

/** How a request is named in messages: `GET /api/v1/app/...`. */
export function describe(method: string, path: string): string {
  return `${method.toUpperCase()} /api/v1/${path}`;
}

/** Session ids go into request paths: only plain identifiers (never `..`, `.` or a slash). */
export function plainId(sessionId: string, label: string): string {
  if (!PLAIN_ID.test(sessionId)) {
    throw new InvalidResponseError(
      `${label}: session id ${JSON.stringify(sessionId.slice(0, 70))} is not a plain identifier; nothing was sent`,
      label,
    );
  }
  return sessionId;
}
