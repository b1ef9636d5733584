import { z } from 'zod';
import { isValidTimeZone, parseClock } from './core/local-time.ts';
import type { Rules } from './core/rules.ts';
import { DEFAULT_SESSION_PRICE_FORMULA } from './core/session-price.ts';
import { ConfigError } from './errors.ts';

const kwh = z.number().finite().positive();
const money = z.number().finite().nonnegative();

export const SessionPriceFormulaSchema = z.strictObject({
  spotFactor: z.number().finite().default(DEFAULT_SESSION_PRICE_FORMULA.spotFactor),
  markupFactor: z.number().finite().default(DEFAULT_SESSION_PRICE_FORMULA.markupFactor),
  fixedPerKwh: z.number().finite().default(DEFAULT_SESSION_PRICE_FORMULA.fixedPerKwh),
});

/** Stop rules as stored (SSM parameter, local file) and as given by CLI flags. Unknown keys are errors. */
export const RulesSchema = z
  .strictObject({
    energyKwh: kwh.optional().describe('End when the session has delivered this many kWh.'),
    maxPricePerKwh: money.optional().describe('End when the unit price (currency per kWh) is above this.'),
    minEnergyKwh: z
      .number()
      .finite()
      .nonnegative()
      .optional()
      .describe('The price rule never ends a session below this many kWh.'),
    maxCost: z.number().finite().positive().optional().describe('End when the session cost reaches this.'),
    stopBy: z
      .string()
      .refine((v) => parseClock(v) !== null, 'must be HH:MM (24 h)')
      .optional()
      .describe('End at this local time (HH:MM) after the session started.'),
    timezone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Copenhagen')
      .default('Europe/Copenhagen'),
    priceSource: z.enum(['session', 'spot']).default('session'),
    sessionPriceFormula: SessionPriceFormulaSchema.default(DEFAULT_SESSION_PRICE_FORMULA),
    dryRun: z.boolean().default(false),
  })
  .describe('stopwatt stop rules');

export type RulesInput = z.input<typeof RulesSchema>;

// Compile-time check that the schema produces the domain type.
const _rulesType: (r: z.output<typeof RulesSchema>) => Rules = (r) => r;
void _rulesType;

/** One line naming each offending field, e.g. `energyKwh: Too small: expected number to be >0`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

export function parseRules(input: unknown, origin = 'rules'): Rules {
  const result = RulesSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`invalid ${origin}: ${formatZodError(result.error)}`);
  return result.data;
}

export function parseRulesJson(text: string, origin = 'rules'): Rules {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`invalid ${origin}: not JSON (${(error as Error).message})`);
  }
  return parseRules(json, origin);
}

/** True when at least one rule can end a session. */
export function hasAnyRule(rules: Rules): boolean {
  return (
    rules.energyKwh !== undefined ||
    rules.maxPricePerKwh !== undefined ||
    rules.maxCost !== undefined ||
    rules.stopBy !== undefined
  );
}
