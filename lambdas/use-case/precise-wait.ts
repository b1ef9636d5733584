import type { Decision } from '../core/decide.ts';
import type { CheckDeps } from './check-deps.ts';
import { type Judgement, judge } from './judge.ts';

/** How far past a price-slot boundary or deadline the re-read is made. */
export const BOUNDARY_MARGIN_MS = 50;
/**
 * Re-reads per tick at most: a re-read that finds less power than predicted waits again for the
 * later crossing instead of leaving the stop to the next tick.
 */
export const MAX_REREADS = 3;

/**
 * How long to sleep before re-reading, or null when the next rule change is beyond the horizon.
 * Energy is estimated from the meter sample: wake so the re-read (one latency) and the stop (one
 * more, the energy lead) land at the predicted crossing. A price boundary or deadline is exact and
 * must have passed when the rule is evaluated, so sleep until it (plus a hair for clock granularity).
 */
export function preciseWaitMs(
  decision: Decision,
  now: Date,
  horizonMs: number,
  readLatencyMs: number,
): number | null {
  if (decision.action !== 'continue' || !decision.wake || horizonMs <= 0) return null;
  const untilWake = decision.wake.at.getTime() - now.getTime();
  if (untilWake > horizonMs) return null;
  return decision.wake.reason === 'energy'
    ? Math.max(0, untilWake - 2 * readLatencyMs)
    : Math.max(0, untilWake + BOUNDARY_MARGIN_MS);
}

export type WaitResult =
  | { readonly kind: 'no-wait' }
  | { readonly kind: 'gone'; readonly waitedMs: number; readonly at: Date }
  | { readonly kind: 'reread'; readonly waitedMs: number; readonly judgement: Judgement };

/**
 * Sleeps until a predicted stop is due within this tick, then reads and judges the session again
 * (energy as estimated where the stop will land); again, up to MAX_REREADS, while the next
 * predicted stop stays inside the horizon.
 */
export async function preciseWait(
  deps: CheckDeps,
  first: Judgement,
  readLatencyMs: number,
): Promise<WaitResult> {
  const { api, clock } = deps;
  const started = clock.now().getTime();
  let current: WaitResult = { kind: 'no-wait' };
  let judgement = first;
  let latencyMs = readLatencyMs;
  let waitedMs = 0;
  for (let reread = 0; reread < MAX_REREADS; reread++) {
    const left = (deps.horizonMs ?? 0) - (clock.now().getTime() - started);
    const sleepMs = preciseWaitMs(judgement.decision, clock.now(), left, latencyMs);
    if (sleepMs === null) break;
    await clock.sleep(sleepMs);
    waitedMs += sleepMs;
    const before = clock.now().getTime();
    const session = await api.getSession(first.snapshot.sessionId);
    const now = clock.now();
    if (!session) return { kind: 'gone', waitedMs, at: now };
    // The re-read's own round trip (warm connection) is the best guess for the `/end` that follows.
    latencyMs = Math.max(0, now.getTime() - before);
    judgement = await judge(deps, session, now, judgement.snapshot, latencyMs);
    current = { kind: 'reread', waitedMs, judgement };
  }
  return current;
}
