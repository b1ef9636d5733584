import type { Session } from '../core/session.ts';
import type { CheckDeps } from './check-deps.ts';

export interface Observation {
  /** Every open session of the account, in the API's order. */
  readonly sessions: readonly Session[];
  readonly observedAt: Date;
  /** How long the read took: the precise wait aims one latency early for the re-read. */
  readonly readLatencyMs: number;
}

/** Reads the account's open sessions and when they were seen. */
export async function observe(deps: CheckDeps): Promise<Observation> {
  const { api, clock } = deps;
  api.beginTick?.();
  const readStarted = clock.now();
  const sessions = await api.openSessions();
  const observedAt = clock.now();
  return { sessions, observedAt, readLatencyMs: Math.max(0, observedAt.getTime() - readStarted.getTime()) };
}
