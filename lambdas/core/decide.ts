import { estimateEnergy } from './estimate.ts';
import type { PriceReading, PriceSlot } from './prices.ts';
import type { Rules, StopReason } from './rules.ts';
import { isStoppingOrFinished } from './session.ts';
import type { Snapshot } from './snapshot.ts';
import { fmt, type RuleContext } from './stop-rules/stop-rule.ts';
import { STOP_RULES } from './stop-rules/table.ts';

/** A stop is never aimed more than this ahead of the estimated crossing. */
export const MAX_ENERGY_LEAD_MS = 30_000;

/** A reading older than this is not acted on. */
export const MAX_SNAPSHOT_AGE_MS = 5 * 60_000;

export interface DecideInput {
  /** The observed session; null when there is none. */
  readonly snapshot: Snapshot | null;
  readonly rules: Rules;
  readonly now: Date;
  /** Unit price now; null when unknown (the price rule then never stops). */
  readonly price: PriceReading | null;
  /** Upcoming consumer price slots, for forecasting the next price crossing. */
  readonly forecast?: readonly PriceSlot[] | undefined;
  /** The previous observation of the same session, to reject energy going backwards. */
  readonly previous?: Snapshot | null | undefined;
  /**
   * How long a stop sent now takes to reach the charger (the `/end` round trip), ms: energy is
   * judged as estimated at `now` plus this and `stopLatencyMs`, so the stop lands at the target.
   * Default 0.
   */
  readonly energyLeadMs?: number | undefined;
  /**
   * The charger's learned stop latency (ms): it keeps delivering this long after `/end`, so the stop
   * is aimed this much earlier. Clamped to 0..MAX_ENERGY_LEAD_MS, never later than without it.
   * Default 0.
   */
  readonly stopLatencyMs?: number | undefined;
}

/** When a rule is expected to hold next, so a caller can wake exactly then. */
export interface Wake {
  readonly at: Date;
  readonly reason: StopReason;
}

export type Decision =
  | { readonly action: 'none' }
  | { readonly action: 'already-stopping'; readonly sessionId: string; readonly status: string }
  | {
      readonly action: 'continue';
      readonly sessionId: string;
      /** Why no rule ended the session (rule-by-rule), for the log. */
      readonly notes: readonly string[];
      readonly wake: Wake | null;
    }
  | {
      readonly action: 'end';
      readonly sessionId: string;
      readonly reason: StopReason;
      /** Human-readable: which rule, with the numbers. */
      readonly detail: string;
      /** Set in the log when dry-run rules kept the session going: nothing was sent. */
      readonly dryRun?: true;
    };

/**
 * Decides what to do with a session. Pure: no I/O, the clock is passed in.
 *
 * - No session: `none`. Status `stopping`/`finished`: `already-stopping` (never stop twice).
 * - Only an `active` session can be ended; `starting` or unknown statuses continue.
 * - Readings older than 5 minutes, impossible readings, or energy going backwards, never end
 *   anything.
 * - Energy is judged as estimated from the charger's last meter sample (`estimate.ts`) at the
 *   instant a stop sent now would take effect; on doubtful data, the raw reading.
 * - `leaveAlone` (a one-session override): no rule ends the session.
 * - Otherwise each rule that is set is judged in the table's precedence order (manual, energy,
 *   cost, deadline, price, see `stop-rules/`); the first that holds is the reason. When none
 *   holds, the earliest instant at which one is expected to is the wake.
 */
export function decide(input: DecideInput): Decision {
  const { snapshot: s, rules } = input;
  if (!s) return { action: 'none' };
  if (isStoppingOrFinished(s.status))
    return { action: 'already-stopping', sessionId: s.sessionId, status: s.status };

  const notes: string[] = [];
  const doubt = doubtAbout(input, s);
  if (doubt !== null || rules.leaveAlone) {
    notes.push(doubt ?? 'left alone: no rule ends this session (one-session override)');
    return { action: 'continue', sessionId: s.sessionId, notes, wake: null };
  }

  const context = contextFor(input, s);
  const wakes: Wake[] = [];
  for (const rule of STOP_RULES) {
    if (!rule.isSet(rules)) continue;
    const verdict = rule.judge(context);
    if (verdict.holds)
      return { action: 'end', sessionId: s.sessionId, reason: rule.reason, detail: verdict.detail };
    if (verdict.note !== null) notes.push(verdict.note);
    if (verdict.wake) wakes.push({ at: verdict.wake, reason: rule.reason });
  }
  wakes.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { action: 'continue', sessionId: s.sessionId, notes, wake: wakes[0] ?? null };
}

/** Why this reading must not end anything, or null when it may be judged. */
function doubtAbout(input: DecideInput, s: Snapshot): string | null {
  if (s.status !== 'active') return `status ${s.status}: only active sessions are ended`;
  if (!Number.isFinite(s.energyKwh) || s.energyKwh < 0) return 'energy reading invalid';
  if (s.doubts && s.doubts.length > 0) return `impossible reading: ${s.doubts.join('; ')}`;
  // An unknown reading time (Invalid Date) is as doubtful as an old one.
  if (!(input.now.getTime() - s.observedAt.getTime() <= MAX_SNAPSHOT_AGE_MS)) return 'reading is stale';
  const previous = input.previous;
  if (previous && previous.sessionId === s.sessionId && previous.energyKwh > s.energyKwh)
    return `energy went backwards (${fmt(previous.energyKwh)} -> ${fmt(s.energyKwh)} kWh)`;
  return null;
}

/** A lead in 0..MAX_ENERGY_LEAD_MS; anything not finite counts as none. */
export function boundedLeadMs(ms: number | undefined): number {
  return ms !== undefined && Number.isFinite(ms) ? Math.min(MAX_ENERGY_LEAD_MS, Math.max(0, ms)) : 0;
}

function contextFor(input: DecideInput, s: Snapshot): RuleContext {
  const previous = input.previous && input.previous.sessionId === s.sessionId ? input.previous : null;
  // Never more than MAX_ENERGY_LEAD_MS early in total, whatever the two parts say.
  const roundTripMs = boundedLeadMs(input.energyLeadMs);
  const leadMs = boundedLeadMs(roundTripMs + boundedLeadMs(input.stopLatencyMs));
  return {
    snapshot: s,
    rules: input.rules,
    now: input.now,
    price: input.price,
    forecast: input.forecast,
    previous,
    energy: estimateEnergy(s, new Date(input.now.getTime() + leadMs), previous),
    stopLatencyMs: leadMs - roundTripMs,
  };
}
