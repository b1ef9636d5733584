import type { RuleSettings } from '../rules.ts';
import { costRule } from './cost.ts';
import { deadlineRule } from './deadline.ts';
import { energyRule } from './energy.ts';
import { manualRule } from './manual.ts';
import { priceRule } from './price.ts';

/**
 * Every stop rule, in precedence order: when several hold, the first names the reason.
 * Adding a rule is one entry here (its file, its setting in `RuleSettings`) plus its tests.
 */
export const STOP_RULES = [manualRule, energyRule, costRule, deadlineRule, priceRule] as const;

type Entry = (typeof STOP_RULES)[number];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type ShapeOf<E extends Entry> = UnionToIntersection<E['fields']>;

/** The flag names of the standing rules (`check`, `watch`, `rules set`). */
export type StandingFlagName = Extract<Entry, { onceOnly: false }>['flags'][number]['name'];
/** The flag names only `rules set --once` takes. */
export type OnceOnlyFlagName = Extract<Entry, { onceOnly: true }>['flags'][number]['name'];

function shape<E extends Entry>(entries: readonly E[]): ShapeOf<E> {
  return Object.assign({}, ...entries.map((entry) => entry.fields)) as ShapeOf<E>;
}

/** The schema of every standing rule setting, keyed by setting. */
export const standingFieldShape = shape(STOP_RULES.filter((entry) => !entry.onceOnly)) as ShapeOf<
  Extract<Entry, { onceOnly: false }>
>;

/** The schema of every rule setting (standing and once-only), keyed by setting. */
export const allFieldShape = shape(STOP_RULES);

/** True when the settings switch on at least one rule. */
export function anyRuleSet(settings: RuleSettings): boolean {
  return STOP_RULES.some((entry) => entry.isSet(settings));
}
