import * as z from 'zod/mini';
import { isValidTimeZone, parseClock } from './core/local-time.ts';
import type { Rules } from './core/rules.ts';
import { DEFAULT_SESSION_PRICE_FORMULA } from './core/session-price.ts';
import { allFieldShape, anyRuleSet, standingFieldShape } from './core/stop-rules/table.ts';
import { ConfigError } from './errors.ts';
import './zod-messages.ts';

const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.describe(description));

export const SessionPriceFormulaSchema = z.strictObject({
  spotFactor: z._default(z.number(), DEFAULT_SESSION_PRICE_FORMULA.spotFactor),
  markupFactor: z._default(z.number(), DEFAULT_SESSION_PRICE_FORMULA.markupFactor),
  fixedPerKwh: z._default(z.number(), DEFAULT_SESSION_PRICE_FORMULA.fixedPerKwh),
});

const clockText = z
  .string()
  .check(z.refine((v) => parseClock(v) !== null || v === '24:00', 'must be HH:MM (24 h)'));

/**
 * The consumer price model for the `spot` source:
 * `(spot/1000 + zone tariff + flatPerKwh) * (1 + vatPercent/100)`, per kWh.
 */
export const TariffSchema = z.strictObject({
  flatPerKwh: described(
    z._default(z.number(), 0),
    'Per-kWh charges before VAT that do not depend on the hour (electricity tax, supplier fee).',
  ),
  zones: described(
    z._default(
      z.array(
        z.strictObject({
          from: described(clockText, 'Local start time HH:MM (inclusive).'),
          to: described(
            clockText,
            'Local end time HH:MM (exclusive); may be earlier than from (crosses midnight).',
          ),
          perKwh: described(z.number(), 'Grid tariff per kWh before VAT in this zone.'),
        }),
      ),
      [],
    ),
    'Hour-of-day grid tariff zones in the rules time zone; the first matching zone applies.',
  ),
  vatPercent: z._default(z.number().check(z.minimum(0), z.maximum(100)), 25),
  hourlyAverage: described(z._default(z.boolean(), false), 'Average the quarter-hour spot prices per hour.'),
});

/** A one-session override: every rule setting (incl. the once-only ones) plus its binding. */
const OnceSchema = z
  .strictObject({
    sessionId: described(
      z.optional(z.string().check(z.minLength(1))),
      'The session the override is bound to; set automatically by the first tick that sees one.',
    ),
    ...allFieldShape,
    leaveAlone: described(z.optional(z.boolean()), 'Leave this session alone: no rule ends it.'),
  })
  .check(
    z.refine((once) => !(once.leaveAlone && anyRuleSet(once)), {
      message: 'leaveAlone cannot be combined with a rule',
    }),
  );

/** Stop rules as stored (SSM parameter, local file) and as given by CLI flags. Unknown keys are errors. */
export const RulesSchema = described(
  z.strictObject({
    $schema: described(z.optional(z.string()), 'Path or URL of this JSON Schema, for editor completion.'),
    ...standingFieldShape,
    timezone: z._default(
      z.string().check(z.refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Copenhagen')),
      'Europe/Copenhagen',
    ),
    priceSource: z._default(z.enum(['session', 'spot']), 'session'),
    priceArea: z._default(z.enum(['DK1', 'DK2']), 'DK1'),
    tariff: z._default(TariffSchema, { flatPerKwh: 0, zones: [], vatPercent: 25, hourlyAverage: false }),
    sessionPriceFormula: z._default(SessionPriceFormulaSchema, DEFAULT_SESSION_PRICE_FORMULA),
    dryRun: z._default(z.boolean(), false),
    idleIntervalMinutes: described(
      z.optional(z.int().check(z.minimum(0), z.maximum(60))),
      'Minutes between API reads while no session is open (0: every tick); beats the deploy config (default 5).',
    ),
    idlePublicCharging: described(
      z.optional(z.boolean()),
      'While no session is open, also look for a session at a public charger on an account with home chargers (one more request per idle read).',
    ),
    once: described(
      z.optional(OnceSchema),
      'Rules for the current (or next) session only; cleared automatically when that session ends.',
    ),
  }),
  'stopwatt stop rules',
);

export type RulesInput = z.input<typeof RulesSchema>;

// Compile-time check that the schema produces the domain type.
const _rulesType: (r: z.output<typeof RulesSchema>) => Rules = (r) => r;
void _rulesType;

/** One line naming each offending field, e.g. `energyKwh: Too small: expected number to be >0`. */
export function formatZodError(error: z.core.$ZodError): string {
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
