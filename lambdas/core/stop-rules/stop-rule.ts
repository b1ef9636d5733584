import type * as z from 'zod/mini';
import type { EnergyEstimate } from '../estimate.ts';
import type { PriceReading, PriceSlot } from '../prices.ts';
import type { RuleSettings, Rules, StopReason } from '../rules.ts';
import type { Snapshot } from '../snapshot.ts';

/** A rule setting a stop rule reads (`leaveAlone` is not a rule: it silences all of them). */
export type RuleField = Exclude<keyof RuleSettings, 'leaveAlone'>;

/** What a rule sees: an active, fresh, plausible reading of one session. */
export interface RuleContext {
  readonly snapshot: Snapshot;
  readonly rules: Rules;
  readonly now: Date;
  /** Unit price now; null when unknown. */
  readonly price: PriceReading | null;
  readonly forecast: readonly PriceSlot[] | undefined;
  /** The previous observation of the same session, or null. */
  readonly previous: Snapshot | null;
  /**
   * The energy the rules judge (kWh): the meter sample extrapolated to the instant a stop sent now
   * would take effect, or the raw reading when the data cannot carry an estimate.
   */
  readonly energy: EnergyEstimate;
  /** How much earlier than the round trip alone `energy` is judged, for the charger's stop latency (ms). */
  readonly stopLatencyMs: number;
}

export type Verdict =
  | { readonly holds: true; readonly detail: string }
  | {
      readonly holds: false;
      /** Why it does not hold, with the numbers, for the log; null when there is nothing to say. */
      readonly note: string | null;
      /** When it is expected to hold next, so a caller can wake exactly then; null when unknown. */
      readonly wake: Date | null;
    };

/** How a CLI flag's text becomes the setting: `--energy-kwh 20`, `--stop-by 7:30`, `--stop-now`. */
export type FlagValue = 'positive' | 'non-negative' | 'clock' | 'switch';

export interface RuleFlag {
  /** Without the dashes, e.g. `energy-kwh`. */
  readonly name: string;
  readonly field: RuleField;
  readonly value: FlagValue;
  /** Shown after the flag in help, e.g. `N`; empty for a switch. */
  readonly placeholder: string;
  readonly help: string;
}

/**
 * One stop rule: everything about it in one place. `decide()`, the wake computation,
 * `hasAnyRule`, the rules schema (incl. `once`) and the CLI flags are all derived from the table
 * of these (`table.ts`).
 */
export interface StopRule<R extends StopReason = StopReason> {
  readonly reason: R;
  /** Settable only for one session (`once`), never as a standing rule. */
  readonly onceOnly: boolean;
  /** The schema of each setting it reads, with its description (for the JSON Schema). */
  readonly fields: Readonly<Partial<Record<RuleField, z.ZodMiniType>>>;
  readonly flags: readonly RuleFlag[];
  /** Whether the settings switch this rule on (a modifier such as `minEnergyKwh` alone does not). */
  isSet(settings: RuleSettings): boolean;
  /** Whether it holds now, and if not, why and when it will next. Called only when `isSet`. */
  judge(context: RuleContext): Verdict;
}

/** Rounded for messages: `10.0004` -> `10`. */
export const fmt = (n: number, digits = 3): string => Number(n.toFixed(digits)).toString();
