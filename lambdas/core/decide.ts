import { nextOccurrence, parseClock } from './local-time.ts';
import { energyAt, predictEnergyReached } from './prediction.ts';
import { nextPriceCrossing, type PriceReading, type PriceSlot } from './prices.ts';
import type { Rules, StopReason } from './rules.ts';
import { isStoppingOrFinished } from './session.ts';
import type { Snapshot } from './snapshot.ts';

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
   * Energy within this many kWh below the target counts as reached. Used only right after a
   * precise wait, where the meter may lag the prediction by a few Wh. Default 0.
   */
  readonly energyToleranceKwh?: number | undefined;
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
    };

const fmt = (n: number, digits = 3) => Number(n.toFixed(digits)).toString();

/**
 * Decides what to do with a session. Pure: no I/O, the clock is passed in.
 *
 * - No session: `none`. Status `stopping`/`finished`: `already-stopping` (never stop twice).
 * - Only an `active` session can be ended; `starting` or unknown statuses continue.
 * - Readings older than 5 minutes, or energy going backwards, never end anything.
 * - Rules are checked in the order energy, cost, deadline, price; the first that holds is the
 *   reason. Any one rule holding ends the session.
 *   - energy: `energyKwh` delivered >= `energyKwh`.
 *   - cost: `cost` >= `maxCost` (AMPECO `totalAmount`, which includes the tariff's minimum price).
 *   - deadline: now >= the first `stopBy` wall time in `timezone` at or after the session start
 *     (unknown start: the previous reading, else this one; unusable start: no deadline).
 *   - price: unit price > `maxPricePerKwh` and delivered >= `minEnergyKwh` (default 0). An
 *     unknown or unparseable price never ends a session.
 */
export function decide(input: DecideInput): Decision {
  const { snapshot: s, rules, now, price } = input;
  if (!s) return { action: 'none' };
  if (isStoppingOrFinished(s.status))
    return { action: 'already-stopping', sessionId: s.sessionId, status: s.status };

  const notes: string[] = [];
  const continueWith = (wake: Wake | null): Decision => ({
    action: 'continue',
    sessionId: s.sessionId,
    notes,
    wake,
  });

  if (s.status !== 'active') {
    notes.push(`status ${s.status}: only active sessions are ended`);
    return continueWith(null);
  }
  if (!Number.isFinite(s.energyKwh) || s.energyKwh < 0) {
    notes.push('energy reading invalid');
    return continueWith(null);
  }
  // An unknown reading time (Invalid Date) is as doubtful as an old one.
  if (!(now.getTime() - s.observedAt.getTime() <= MAX_SNAPSHOT_AGE_MS)) {
    notes.push('reading is stale');
    return continueWith(null);
  }
  const previous = input.previous;
  if (previous && previous.sessionId === s.sessionId && previous.energyKwh > s.energyKwh) {
    notes.push(`energy went backwards (${fmt(previous.energyKwh)} -> ${fmt(s.energyKwh)} kWh)`);
    return continueWith(null);
  }

  const end = (reason: StopReason, detail: string): Decision => ({
    action: 'end',
    sessionId: s.sessionId,
    reason,
    detail,
  });

  const tolerance = Math.max(0, input.energyToleranceKwh ?? 0);
  if (rules.energyKwh !== undefined) {
    if (s.energyKwh >= rules.energyKwh - tolerance) {
      return end(
        'energy',
        `energy ${fmt(s.energyKwh)} kWh reached the target of ${fmt(rules.energyKwh)} kWh`,
      );
    }
    notes.push(`energy ${fmt(s.energyKwh)} of ${fmt(rules.energyKwh)} kWh`);
  }

  if (rules.maxCost !== undefined) {
    if (s.cost !== null && Number.isFinite(s.cost) && s.cost >= rules.maxCost) {
      return end(
        'cost',
        `cost ${fmt(s.cost, 2)} ${s.currency ?? ''} reached the cap of ${fmt(rules.maxCost, 2)}`.replace(
          '  ',
          ' ',
        ),
      );
    }
    notes.push(s.cost === null ? 'cost unknown' : `cost ${fmt(s.cost, 2)} of ${fmt(rules.maxCost, 2)}`);
  }

  let deadline: Date | null = null;
  if (rules.stopBy !== undefined) {
    const clock = parseClock(rules.stopBy);
    // Without a start time, the previous reading stands in for it: counting from this
    // reading alone would push the deadline past every tick that sees it.
    const earlier = previous && previous.sessionId === s.sessionId ? previous : null;
    const from = s.startedAt ?? earlier?.startedAt ?? earlier?.observedAt ?? s.observedAt;
    deadline = clock ? deadlineAfter(from, clock, rules.timezone) : null;
    if (clock && !deadline) notes.push('deadline unknown: the session start time is not usable');
    if (deadline) {
      if (now.getTime() >= deadline.getTime()) {
        return end(
          'deadline',
          `deadline ${rules.stopBy} (${rules.timezone}) passed at ${deadline.toISOString()}`,
        );
      }
      notes.push(`deadline ${rules.stopBy} at ${deadline.toISOString()}`);
    }
  }

  const minEnergy = rules.minEnergyKwh ?? 0;
  if (rules.maxPricePerKwh !== undefined) {
    if (price === null || !Number.isFinite(price.perKwh)) {
      notes.push('price unknown: the price rule cannot end this session');
    } else if (price.perKwh > rules.maxPricePerKwh) {
      if (s.energyKwh >= minEnergy) {
        return end(
          'price',
          `price ${fmt(price.perKwh, 4)}/kWh (${price.source}) is above the limit of ${fmt(rules.maxPricePerKwh, 4)}`,
        );
      }
      notes.push(
        `price ${fmt(price.perKwh, 4)} above limit, but energy is below the minimum ${fmt(minEnergy)} kWh`,
      );
    } else {
      notes.push(`price ${fmt(price.perKwh, 4)} of max ${fmt(rules.maxPricePerKwh, 4)}/kWh`);
    }
  }

  return continueWith(nextWake(input, deadline, minEnergy));
}

/** The first `clock` wall time at or after `from`; null when `from` is not a usable instant. */
function deadlineAfter(from: Date, clock: { hour: number; minute: number }, timeZone: string): Date | null {
  if (Number.isNaN(from.getTime())) return null;
  try {
    const at = nextOccurrence(from, clock, timeZone);
    return Number.isNaN(at.getTime()) ? null : at;
  } catch {
    // Beyond the Date range (an absurd start time from the API): no deadline can be computed.
    return null;
  }
}

function nextWake(input: DecideInput, deadline: Date | null, minEnergy: number): Wake | null {
  const { snapshot: s, rules, now } = input;
  if (!s) return null;
  const wakes: Wake[] = [];
  if (rules.energyKwh !== undefined) {
    const at = predictEnergyReached(s, rules.energyKwh, now, input.previous);
    if (at) wakes.push({ at, reason: 'energy' });
  }
  if (deadline) wakes.push({ at: deadline, reason: 'deadline' });
  if (rules.maxPricePerKwh !== undefined && input.forecast && input.forecast.length > 0) {
    const crossing = nextPriceCrossing(input.forecast, now, rules.maxPricePerKwh);
    if (crossing && energyAt(s, crossing) >= minEnergy) wakes.push({ at: crossing, reason: 'price' });
  }
  wakes.sort((a, b) => a.at.getTime() - b.at.getTime());
  return wakes[0] ?? null;
}
