import { z } from 'zod';
import { isValidTimeZone, parseClock } from './core/local-time.ts';
import type { Rules } from './core/rules.ts';
import { DEFAULT_SESSION_PRICE_FORMULA } from './core/session-price.ts';
import { allFieldShape, anyRuleSet, standingFieldShape } from './core/stop-rules/table.ts';
import { ConfigError } from './errors.ts';

export const SessionPriceFormulaSchema = z.strictObject({
  spotFactor: z.number().finite().default(DEFAULT_SESSION_PRICE_FORMULA.spotFactor),
  markupFactor: z.number().finite().default(DEFAULT_SESSION_PRICE_FORMULA.markupFactor),
  fixedPerKwh: z.number().finite().default(DEFAULT_SESSION_PRICE_FORMULA.fixedPerKwh),
});

const clockText = z.string().refine((v) => parseClock(v) !== null || v === '24:00', 'must be HH:MM (24 h)');

/**
 * The consumer price model for the `spot` source:
 * `(spot/1000 + zone tariff + flatPerKwh) * (1 + vatPercent/100)`, per kWh.
 */
export const TariffSchema = z.strictObject({
  flatPerKwh: z
    .number()
    .finite()
    .default(0)
    .describe('Per-kWh charges before VAT that do not depend on the hour (electricity tax, supplier fee).'),
  zones: z
    .array(
      z.strictObject({
        from: clockText.describe('Local start time HH:MM (inclusive).'),
        to: clockText.describe(
          'Local end time HH:MM (exclusive); may be earlier than from (crosses midnight).',
        ),
        perKwh: z.number().finite().describe('Grid tariff per kWh before VAT in this zone.'),
      }),
    )
    .default([])
    .describe('Hour-of-day grid tariff zones in the rules time zone; the first matching zone applies.'),
  vatPercent: z.number().finite().min(0).max(100).default(25),
  hourlyAverage: z.boolean().default(false).describe('Average the quarter-hour spot prices per hour.'),
});

/** A one-session override: every rule setting (incl. the once-only ones) plus its binding. */
const OnceSchema = z
  .strictObject({
    sessionId: z
      .string()
      .min(1)
      .optional()
      .describe('The session the override is bound to; set automatically by the first tick that sees one.'),
    ...allFieldShape,
    leaveAlone: z.boolean().optional().describe('Leave this session alone: no rule ends it.'),
  })
  .refine((once) => !(once.leaveAlone && anyRuleSet(once)), {
    message: 'leaveAlone cannot be combined with a rule',
  });

/** Stop rules as stored (SSM parameter, local file) and as given by CLI flags. Unknown keys are errors. */
export const RulesSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editor completion.'),
    ...standingFieldShape,
    timezone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Copenhagen')
      .default('Europe/Copenhagen'),
    priceSource: z.enum(['session', 'spot']).default('session'),
    priceArea: z.enum(['DK1', 'DK2']).default('DK1'),
    tariff: TariffSchema.default({ flatPerKwh: 0, zones: [], vatPercent: 25, hourlyAverage: false }),
    sessionPriceFormula: SessionPriceFormulaSchema.default(DEFAULT_SESSION_PRICE_FORMULA),
    dryRun: z.boolean().default(false),
    once: OnceSchema.optional().describe(
      'Rules for the current (or next) session only; cleared automatically when that session ends.',
    ),
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

/**
 * True when at least one rule can end a session: a standing rule, or a one-session override's
 * (which ends the session it is bound to, even with no standing rule).
 */
export function hasAnyRule(rules: Rules): boolean {
  return anyRuleSet(rules) || (rules.once !== undefined && anyRuleSet(rules.once));
}

/** JSON Schema of a rules file, generated from the zod schema (input side: defaults optional). */
export function rulesJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RulesSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'stopwatt rules',
  };
}
