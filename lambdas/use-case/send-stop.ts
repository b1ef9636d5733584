import { isStoppingOrFinished } from '../core/session.ts';
import type { Snapshot } from '../core/snapshot.ts';
import { errorMessage } from '../errors.ts';
import type { StopClaim, StopResult } from '../ports.ts';
import type { CheckDeps } from './check-deps.ts';
import { landedOn } from './stop-latency.ts';

export interface Sent {
  readonly result: StopResult;
  /** What `/end` threw, when it threw: the tick rethrows it after recording the failure. */
  readonly thrown?: unknown;
}

/**
 * Sends the claimed stop once and says what came of it. A 404 counts as success when the session
 * is gone or already stopping; otherwise, like any error, it is a failed attempt.
 */
export async function sendStop(deps: CheckDeps, claim: StopClaim, snapshot: Snapshot): Promise<Sent> {
  const { api, clock } = deps;
  const { sessionId, attempt, reason, detail } = claim;
  const base = { sessionId, attempt, reason, detail, energyKwh: snapshot.energyKwh };
  try {
    const sentAt = clock.now().getTime();
    const sent = await api.endSession(sessionId);
    const at = clock.now();
    if (sent.kind === 'accepted') {
      // `/end` reached the API about half its round trip after it was sent.
      const landed = new Date((sentAt + at.getTime()) / 2);
      const on = landedOn(snapshot, landed, deps.stopLatencyMs ?? 0);
      return { result: { ...base, at, outcome: 'accepted', ...on } };
    }
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
