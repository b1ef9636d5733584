import type { Decision } from '../core/decide.ts';
import type { CheckDeps } from './check-deps.ts';
import { type Judgement, judge } from './judge.ts';

/** How far past a price-slot boundary or deadline the re-read is made. */
export const BOUNDARY_MARGIN_MS = 50;

/** After a precise wait, energy this close below the target counts as reached (meter granularity). */
export const ENERGY_TOLERANCE_KWH = 0.015;

/**
 * How long to sleep before re-reading, or null when the next rule change is beyond the horizon.
 * Energy is extrapolated: aim so the stop lands at the predicted instant (the re-read and the
 * stop each take about one latency). A price boundary or deadline is exact and must have passed
 * when the rule is evaluated, so sleep until it (plus a hair for clock granularity).
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

/** Sleeps until a predicted stop is due within this tick, then reads and judges the session again. */
export async function preciseWait(
  deps: CheckDeps,
  first: Judgement,
  readLatencyMs: number,
): Promise<WaitResult> {
  const { api, clock } = deps;
  const sleepMs = preciseWaitMs(first.decision, clock.now(), deps.horizonMs ?? 0, readLatencyMs);
  if (sleepMs === null) return { kind: 'no-wait' };
  await clock.sleep(sleepMs);
  const reread = await api.getSession(first.snapshot.sessionId);
  const now = clock.now();
  if (!reread) return { kind: 'gone', waitedMs: sleepMs, at: now };
  const judgement = await judge(deps, reread, now, first.snapshot, ENERGY_TOLERANCE_KWH);
  return { kind: 'reread', waitedMs: sleepMs, judgement };
}
