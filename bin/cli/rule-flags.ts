import { readFile } from 'node:fs/promises';
import { parseRules, parseRulesJson, type RulesInput } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import { UsageError } from './io.ts';

/** `parseArgs` option specs for the flags that set rules (shared by check, watch, rules set). */
export const RULE_FLAG_OPTIONS = {
  'energy-kwh': { type: 'string' },
  'max-price': { type: 'string' },
  'min-energy-kwh': { type: 'string' },
  'max-cost': { type: 'string' },
  'stop-by': { type: 'string' },
  timezone: { type: 'string' },
  'price-source': { type: 'string' },
  'price-area': { type: 'string' },
  'dry-run': { type: 'boolean' },
  rules: { type: 'string' },
} as const;

export type RuleFlagValues = {
  [K in keyof typeof RULE_FLAG_OPTIONS]?: (typeof RULE_FLAG_OPTIONS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

export const RULE_FLAGS_HELP = `Rules (any rule that holds ends the session):
  --energy-kwh N        end when the session has delivered N kWh
  --max-price X         end when the unit price is above X (currency/kWh)
  --min-energy-kwh N    the price rule never ends a session below N kWh
  --max-cost X          end when the session cost reaches X (currency)
  --stop-by HH:MM       end at this local time (first occurrence after the session started)
  --timezone TZ         time zone for --stop-by and tariff zones (default Europe/Copenhagen)
  --price-source S      session (from the session tariff, default) | spot (Energi Data Service)
  --price-area A        DK1 | DK2 (spot prices)
  --dry-run             decide and log, but never end the session
  --rules FILE          read rules from a JSON file (flags override it)`;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function number(flag: string, raw: string | undefined, allowZero: boolean): number | undefined {
  if (raw === undefined) return undefined;
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

/** Stored rules (or a rules file) overridden by the flags that were given; validated. */
export async function rulesFromFlags(values: RuleFlagValues, stored: Rules | null): Promise<Rules> {
  let base: Record<string, unknown> = stored ? { ...stored } : {};
  if (values.rules !== undefined) {
    let text: string;
    try {
      text = await readFile(values.rules, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--rules: cannot read ${values.rules} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    base = { ...parseRulesJson(text, `rules file ${values.rules}`) };
  }
  const overrides: RulesInput = {};
  const set = <K extends keyof RulesInput>(key: K, value: RulesInput[K] | undefined) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('energyKwh', number('energy-kwh', values['energy-kwh'], false));
  set('maxPricePerKwh', number('max-price', values['max-price'], true));
  set('minEnergyKwh', number('min-energy-kwh', values['min-energy-kwh'], true));
  set('maxCost', number('max-cost', values['max-cost'], false));
  set('stopBy', values['stop-by']);
  set('timezone', values.timezone);
  if (values['price-source'] !== undefined) {
    const source = values['price-source'];
    if (source !== 'session' && source !== 'spot') {
      throw new UsageError(`--price-source must be session or spot (got "${source}")`);
    }
    set('priceSource', source);
  }
  if (values['price-area'] !== undefined) {
    const area = values['price-area'].toUpperCase();
    if (area !== 'DK1' && area !== 'DK2')
      throw new UsageError(`--price-area must be DK1 or DK2 (got "${values['price-area']}")`);
    set('priceArea', area);
  }
  if (values['dry-run']) set('dryRun', true);
  return parseRules({ ...base, ...overrides }, 'rules');
}
