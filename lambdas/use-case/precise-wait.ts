import { boundedLeadMs, type Decision } from '../core/decide.ts';
import { nextSampleAt } from '../core/estimate.ts';
import type { CheckDeps } from './check-deps.ts';
import { type Judgement, judge } from './judge.ts';

/** How far past a price-slot boundary or deadline the re-read is made. */
export const BOUNDARY_MARGIN_MS = 50;
/**
 * How long after the charger's expected meter sample the re-read is made: AMPECO stores the
 * sample a moment after the charger sends it, and `duration` carries whole seconds.
 */
export const SAMPLE_MARGIN_MS = 2_000;
/**
 * Re-reads per tick at most: a re-read that finds less power than predicted waits again for the
 * later crossing instead of leaving the stop to the next tick.
 */
export const MAX_REREADS = 3;

export interface WaitInput {
  readonly decision: Decision;
  readonly now: Date;
  /** What is left of the tick's horizon (ms). */
  readonly horizonMs: number;
  readonly readLatencyMs: number;
  /** The charger's learned stop latency (ms): the stop is aimed this much earlier. */
  readonly stopLatencyMs?: number | undefined;
  /** The session's next expected meter sample, when a re-read may be spent on it; else null. */
  readonly nextSampleAt?: Date | null | undefined;
}

/**
 * `stop`: re-read where the stop is due; `sample`: re-read just after the next meter sample to
 * refine the estimate first; `boundary`: re-read just after a price slot boundary or deadline.
 */
export interface WaitPlan {
  readonly sleepMs: number;
  readonly purpose: 'stop' | 'sample' | 'boundary';
}

/**
 * How long to sleep before re-reading, or null when the next rule change is beyond the horizon.
 * Energy is estimated from the meter sample: wake so the re-read (one latency) and the stop (one
 * more, plus the learned stop latency, 30 s at most) land at the predicted crossing. When the
 * charger's next meter sample is due before that, re-read just after it instead: a fresh sample
 * beats an estimate extrapolated from an old one. A price boundary or deadline is exact and must
 * have passed when the rule is evaluated, so sleep until it (plus a hair for clock granularity).
 */
export function planWait(input: WaitInput): WaitPlan | null {
  const { decision, now, horizonMs, readLatencyMs } = input;
  if (decision.action !== 'continue' || !decision.wake || horizonMs <= 0) return null;
  const untilWake = decision.wake.at.getTime() - now.getTime();
  if (untilWake > horizonMs) return null;
  if (decision.wake.reason !== 'energy')
    return { sleepMs: Math.max(0, untilWake + BOUNDARY_MARGIN_MS), purpose: 'boundary' };
  const leadMs = boundedLeadMs(boundedLeadMs(readLatencyMs) + boundedLeadMs(input.stopLatencyMs));
  const untilAim = untilWake - readLatencyMs - leadMs;
  const sample = input.nextSampleAt;
  const untilSample = sample ? sample.getTime() + SAMPLE_MARGIN_MS - now.getTime() : null;
  if (untilSample !== null && untilSample >= 0 && untilSample < untilAim)
    return { sleepMs: untilSample, purpose: 'sample' };
  return { sleepMs: Math.max(0, untilAim), purpose: 'stop' };
}

export type WaitResult =
  | { readonly kind: 'no-wait' }
  | { readonly kind: 'gone'; readonly waitedMs: number; readonly at: Date }
  | { readonly kind: 'reread'; readonly waitedMs: number; readonly judgement: Judgement };

/**
 * Sleeps until a predicted stop is due within this tick, then reads and judges the session again
 * (energy as estimated where the stop will land); again, up to MAX_REREADS, while the next
 * predicted stop stays inside the horizon. A re-read is spent on the next meter sample only while
 * another remains for the stop itself.
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
    const now = clock.now();
    const plan = planWait({
      decision: judgement.decision,
      now,
      horizonMs: (deps.horizonMs ?? 0) - (now.getTime() - started),
      readLatencyMs: latencyMs,
      stopLatencyMs: deps.stopLatencyMs,
      nextSampleAt: reread < MAX_REREADS - 1 ? nextSampleAt(judgement.snapshot, now) : null,
    });
    if (plan === null) break;
    await clock.sleep(plan.sleepMs);
    waitedMs += plan.sleepMs;
    const before = clock.now().getTime();
    const session = await api.getSession(first.snapshot.sessionId);
    const readAt = clock.now();
    if (!session) return { kind: 'gone', waitedMs, at: readAt };
    // The re-read's own round trip (warm connection) is the best guess for the `/end` that follows.
    latencyMs = Math.max(0, readAt.getTime() - before);
    judgement = await judge(deps, session, readAt, judgement.snapshot, latencyMs);
    current = { kind: 'reread', waitedMs, judgement };
  }
  return current;
}
