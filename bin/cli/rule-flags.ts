import { readFile } from 'node:fs/promises';
import { parseRules, parseRulesJson, type RulesInput } from '../../lambdas/config.ts';
import { parseClock } from '../../lambdas/core/local-time.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import type { RuleFlag } from '../../lambdas/core/stop-rules/stop-rule.ts';
import { STOP_RULES, type StandingFlagName } from '../../lambdas/core/stop-rules/table.ts';
import { UsageError } from './io.ts';

/** The flags of the standing rules, from the rule table. */
export const STANDING_RULE_FLAGS: readonly RuleFlag[] = STOP_RULES.filter((r) => !r.onceOnly).flatMap(
  (r): readonly RuleFlag[] => r.flags,
);
/** The flags only `rules set --once` takes, from the rule table. */
export const ONCE_ONLY_RULE_FLAGS: readonly RuleFlag[] = STOP_RULES.filter((r) => r.onceOnly).flatMap(
  (r): readonly RuleFlag[] => r.flags,
);

type OptionOf<F extends RuleFlag> = F['value'] extends 'switch' ? { type: 'boolean' } : { type: 'string' };

/** `parseArgs` specs for rule flags. */
export function flagOptions(flags: readonly RuleFlag[]) {
  return Object.fromEntries(
    flags.map((f) => [f.name, { type: f.value === 'switch' ? 'boolean' : 'string' }]),
  ) as Record<string, OptionOf<RuleFlag>>;
}

/** `parseArgs` option specs for the flags that set rules (shared by check, watch, rules set). */
export const RULE_FLAG_OPTIONS = {
  ...(flagOptions(STANDING_RULE_FLAGS) as { [K in StandingFlagName]: { type: 'string' } }),
  timezone: { type: 'string' },
  'price-source': { type: 'string' },
  'price-area': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-dry-run': { type: 'boolean' },
  'idle-interval': { type: 'string' },
  'idle-public-charging': { type: 'boolean' },
  'no-idle-public-charging': { type: 'boolean' },
  rules: { type: 'string' },
} as const;

export type RuleFlagValues = {
  [K in keyof typeof RULE_FLAG_OPTIONS]?: (typeof RULE_FLAG_OPTIONS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

/** One help line: `  --energy-kwh N        end when ...`. */
export function helpLine(flag: string, help: string): string {
  return `  ${flag.padEnd(20)}  ${help}`;
}

const ruleLines = (flags: readonly RuleFlag[]) =>
  flags.map((f) => helpLine(`--${f.name}${f.placeholder ? ` ${f.placeholder}` : ''}`, f.help));

export const RULE_FLAGS_HELP = [
  'Rules (any rule that holds ends the session):',
  ...ruleLines(STANDING_RULE_FLAGS),
  helpLine('--timezone TZ', 'time zone for --stop-by and tariff zones (default Europe/Copenhagen)'),
  helpLine('--price-source S', 'session (from the session tariff, default) | spot (Energi Data Service)'),
  helpLine('--price-area A', 'DK1 | DK2 (spot prices)'),
  helpLine('--dry-run', 'decide and log, but never end the session (--no-dry-run: switch it off)'),
  helpLine('--idle-interval MIN', 'minutes between API reads while no session is open (0: every tick)'),
  helpLine(
    '--idle-public-charging',
    'while idle, also look for a public session on a home-charger account (+1 request a read)',
  ),
  helpLine('--rules FILE', 'read rules from a JSON file (flags override it)'),
].join('\n');

/** Help lines for the flags only `rules set --once` takes. */
export const ONCE_ONLY_FLAGS_HELP = ruleLines(ONCE_ONLY_RULE_FLAGS).join('\n');

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function number(flag: string, raw: string, allowZero: boolean): number {
  const text = raw.trim().replace(',', '.');
  if (!NUMBER.test(text)) throw new UsageError(`--${flag} must be a number (got "${raw}")`);
  const value = Number(text);
  if (value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(
      `--${flag} must be ${allowZero ? 'zero or more' : 'greater than zero'} (got ${raw})`,
    );
  }
  return value;
}

/** `7:30` and `07:30` both mean 07:30; the rules store the two-digit form. */
function clock(flag: string, raw: string): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(raw.trim());
  const text = m ? `${(m[1] ?? '').padStart(2, '0')}:${m[2]}` : '';
  if (parseClock(text) === null)
    throw new UsageError(`--${flag} must be a time H:MM or HH:MM, 24 h (got "${raw}")`);
  return text;
}

/** The settings a set of rule flags gives, e.g. `{ energyKwh: 20 }`; absent flags are left out. */
export function settingsFromFlags(
  flags: readonly RuleFlag[],
  values: Readonly<Record<string, string | boolean | undefined>>,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const flag of flags) {
    const raw = values[flag.name];
    if (raw === undefined || raw === false) continue;
    if (flag.value === 'switch') settings[flag.field] = true;
    else if (typeof raw !== 'string') continue;
    else if (flag.value === 'clock') settings[flag.field] = clock(flag.name, raw);
    else settings[flag.field] = number(flag.name, raw, flag.value === 'non-negative');
  }
  return settings;
}

async function rulesFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--rules: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return { ...parseRulesJson(text, `rules file ${path}`) };
}

/** Stored rules (or a rules file) overridden by the flags that were given; validated. */
export async function rulesFromFlags(values: RuleFlagValues, stored: Rules | null): Promise<Rules> {
  const base: Record<string, unknown> =
    values.rules !== undefined ? await rulesFile(values.rules) : stored ? { ...stored } : {};
  if (values['dry-run'] && values['no-dry-run'])
    throw new UsageError('--dry-run and --no-dry-run contradict each other');
  const overrides: RulesInput = settingsFromFlags(STANDING_RULE_FLAGS, values);
  if (values.timezone !== undefined) overrides.timezone = values.timezone;
  if (values['price-source'] !== undefined) {
    const source = values['price-source'];
    if (source !== 'session' && source !== 'spot') {
      throw new UsageError(`--price-source must be session or spot (got "${source}")`);
    }
    overrides.priceSource = source;
  }
  if (values['price-area'] !== undefined) {
    const area = values['price-area'].toUpperCase();
    if (area !== 'DK1' && area !== 'DK2')
      throw new UsageError(`--price-area must be DK1 or DK2 (got "${values['price-area']}")`);
    overrides.priceArea = area;
  }
  if (values['dry-run']) overrides.dryRun = true;
  if (values['no-dry-run']) overrides.dryRun = false;
  return parseRules({ ...base, ...overrides, ...idleOverrides(values) }, 'rules');
}

/** The idle cadence's settings from `--idle-interval` and `--[no-]idle-public-charging`. */
function idleOverrides(values: RuleFlagValues): RulesInput {
  const overrides: RulesInput = {};
  const interval = values['idle-interval'];
  if (interval !== undefined) {
    if (!/^\d+$/.test(interval.trim()) || Number(interval) > 60)
      throw new UsageError(`--idle-interval must be whole minutes from 0 to 60 (got "${interval}")`);
    overrides.idleIntervalMinutes = Number(interval);
  }
  if (values['idle-public-charging'] && values['no-idle-public-charging'])
    throw new UsageError('--idle-public-charging and --no-idle-public-charging contradict each other');
  if (values['idle-public-charging']) overrides.idlePublicCharging = true;
  if (values['no-idle-public-charging']) overrides.idlePublicCharging = false;
  return overrides;
}

/**
 * Warnings for rule flags a stored one-session override beats, e.g. `--energy-kwh 50` while
 * `once.energyKwh` is 20: the override wins for its session, which would otherwise be silent.
 */
export function onceShadowWarnings(values: RuleFlagValues, rules: Rules): string[] {
  const once = rules.once;
  if (!once) return [];
  const session = once.sessionId ? `session ${once.sessionId}` : 'the next session';
  const clear = "clear it with 'stopwatt rules set --no-once'";
  const given = STANDING_RULE_FLAGS.filter((f) => values[f.name as StandingFlagName] !== undefined);
  if (given.length === 0) return [];
  if (once.leaveAlone || once.stopNow) {
    const what = once.leaveAlone ? 'once.leaveAlone' : 'once.stopNow';
    return [
      `the one-session override ${what} beats ${given.map((f) => `--${f.name}`).join(', ')} for ${session}; ${clear}`,
    ];
  }
  return given
    .filter((f) => once[f.field] !== undefined)
    .map(
      (f) =>
        `the one-session override once.${f.field} = ${String(once[f.field])} beats --${f.name} ${values[f.name as StandingFlagName]} for ${session}; ${clear}`,
    );
}
