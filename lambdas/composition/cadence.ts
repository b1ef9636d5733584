import { anySessionOpen, learnPlace, readLookup, type SessionSearch } from '../core/idle-reads.ts';
import type { Rules } from '../core/rules.ts';
import type { CadenceState, ReadCadence } from '../ports.ts';
import type { CheckOutcome } from '../run-check.ts';
import type { AccountCheck, TickLookup, TickOptions } from './build-check.ts';

export interface CadenceSettings {
  /** Time between reads while no session is open, unless the rules set `idleIntervalMinutes`. */
  readonly idleIntervalMs: number;
  /**
   * How early an idle read may come: ticks are not exactly one period apart, and a due read must
   * never slip a whole tick. Half the tick period.
   */
  readonly earlyMs: number;
}

/**
 * One tick on the adaptive cadence: every tick reads while a session is open; without one, only
 * a tick that claims the due idle read does. Each read looks where the account's sessions are
 * found (see `readLookup`). Null when this tick did not read.
 */
export async function tickOnCadence(
  check: AccountCheck,
  cadence: ReadCadence,
  settings: CadenceSettings,
  options: TickOptions,
): Promise<CheckOutcome | null> {
  const rules = options.rules ?? (await check.rules(options.warn));
  const idleMs = idleIntervalMs(rules.idleIntervalMinutes, settings);
  if (idleMs <= 0) return check.tick({ ...options, rules });
  const now = check.parts.clock.now();
  const state = await cadence.claim(now, Math.max(0, idleMs - settings.earlyMs));
  if (state === null) return null;
  const read = cadenceRead(state, rules, now);
  let outcome: CheckOutcome;
  try {
    outcome = await check.tick({ ...options, rules, lookup: read.lookup });
  } catch (error) {
    // The read did not happen or went wrong: the next tick must not wait a whole idle interval.
    await cadence.release().catch(() => undefined);
    throw error;
  }
  await cadence.record(read.after(outcome));
  return outcome;
}

/** A read on the cadence: where it looks, and the state once it is done. */
export interface CadenceRead {
  readonly lookup: TickLookup;
  after(outcome: CheckOutcome): CadenceState;
}

/**
 * Where this read looks (see `readLookup`) and how it updates the state. The deployed function
 * keeps the state in the table, `watch` in memory.
 */
export function cadenceRead(state: CadenceState, rules: Rules, now: Date): CadenceRead {
  const where = readLookup(state, state.open, now, rules.idlePublicCharging === true);
  let search: SessionSearch | null = null;
  return {
    lookup: { where, seen: (found) => (search = found) },
    after: (outcome) => stateAfter(state, search, outcome, now),
  };
}

/** The rules' interval beats the configured one. */
export function idleIntervalMs(ruleMinutes: number | undefined, settings: CadenceSettings): number {
  return ruleMinutes === undefined ? settings.idleIntervalMs : ruleMinutes * 60_000;
}

function stateAfter(
  before: CadenceState,
  search: SessionSearch | null,
  outcome: CheckOutcome,
  now: Date,
): CadenceState {
  const place = search === null ? before : learnPlace(before, search, now);
  const statuses = (outcome.sessions ?? [outcome]).map((one) => one.snapshot?.status);
  return { homeChargers: place.homeChargers, learnedAt: place.learnedAt, open: anySessionOpen(statuses) };
}
