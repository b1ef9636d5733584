import { isStoppingOrFinished } from '../core/session.ts';
import { errorMessage } from '../errors.ts';
import type { StopClaim, StopResult } from '../ports.ts';
import type { CheckDeps } from './check-deps.ts';

export interface Sent {
  readonly result: StopResult;
  /** What `/end` threw, when it threw: the tick rethrows it after recording the failure. */
  readonly thrown?: unknown;
}

/**
 * Sends the claimed stop once and says what came of it. A 404 counts as success when the session
 * is gone or already stopping; otherwise, like any error, it is a failed attempt.
 */
export async function sendStop(deps: CheckDeps, claim: StopClaim, energyKwh: number): Promise<Sent> {
  const { api, clock } = deps;
  const { sessionId, attempt, reason, detail } = claim;
  const base = { sessionId, attempt, reason, detail, energyKwh };
  try {
    const sent = await api.endSession(sessionId);
    if (sent.kind === 'accepted') return { result: { ...base, at: clock.now(), outcome: 'accepted' } };
    const check = await api.getSession(sessionId);
    if (check === null || isStoppingOrFinished(check.status)) {
      return { result: { ...base, at: clock.now(), outcome: 'already-ended' } };
    }
    const error = `stop answered 404 but the session is still ${check.status}`;
    return { result: { ...base, at: clock.now(), outcome: 'failed', error } };
  } catch (thrown) {
    return { result: { ...base, at: clock.now(), outcome: 'failed', error: errorMessage(thrown) }, thrown };
  }
}
