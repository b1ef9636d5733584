import type { Snapshot } from '../core/snapshot.ts';
import type { CheckDeps } from './check-deps.ts';
import { type Judgement, judge } from './judge.ts';
import { track } from './notify.ts';
import { recordJudgement } from './record.ts';
import { learnStopLatency } from './stop-latency.ts';

/**
 * Sleeps between re-reads of a stopping session: it is re-read 3, 6, 12, 24 and 48 s after the
 * stop. Chargers obey within seconds; the doubling keeps a slow one from costing many reads.
 */
export const FOLLOW_UP_DELAYS_MS: readonly number[] = [3_000, 3_000, 6_000, 12_000, 24_000];

/**
 * After a stop, re-reads the session by id a few seconds apart until it is `finished`, as long as
 * each sleep ends by `deadline` (the end of the tick's horizon), so the final energy and the
 * notification come in seconds, not a tick later. The finished reading is logged (its energy is
 * the charger's final meter value), the stop latency learned from it, and it is returned; null when the session is still stopping at the
 * deadline, is gone, or a read failed (warned: the next tick that finds it stopping re-reads it).
 */
export async function followStop(
  deps: CheckDeps,
  stopped: Snapshot,
  deadline: Date,
): Promise<Judgement | null> {
  const { api, clock } = deps;
  for (const delayMs of FOLLOW_UP_DELAYS_MS) {
    if (clock.now().getTime() + delayMs > deadline.getTime()) return null;
    await clock.sleep(delayMs);
    const session = await track(deps, `session ${stopped.sessionId}: re-reading after the stop`, () =>
      api.getSession(stopped.sessionId),
    );
    if (!session) return null;
    if (session.status !== 'finished') continue;
    const finished = await judge(deps, session, clock.now(), stopped, 0);
    await recordJudgement(deps, finished);
    await learnStopLatency(deps, finished.snapshot);
    return finished;
  }
  return null;
}
