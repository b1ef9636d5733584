import type { Session } from '../core/session.ts';
import type { CheckDeps } from './check-deps.ts';

export interface Observation {
  readonly session: Session | null;
  readonly observedAt: Date;
  /** How long the read took: the precise wait aims one latency early for the re-read. */
  readonly readLatencyMs: number;
}

/** Reads the account's open session and when it was seen. */
export async function observe(deps: CheckDeps): Promise<Observation> {
  const { api, clock } = deps;
  api.beginTick?.();
  const readStarted = clock.now();
  const session = await api.activeSession();
  const observedAt = clock.now();
  return { session, observedAt, readLatencyMs: Math.max(0, observedAt.getTime() - readStarted.getTime()) };
}
