/**
 * Fuzzing every place where outside data enters (fast-check): rules (JSON, SSM, files, CLI
 * flags), AMPECO responses, the scheduler event, and `decide()` on hostile snapshots. The
 * properties: only the documented error class escapes, and whatever is accepted is sane (no NaN,
 * no negative limits, no end decision on doubtful data). The well-formed-data properties of
 * `decide()` are in decide.test.ts; this file covers the malformed side.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rulesFromFlags } from '../../bin/cli/rule-flags.ts';
import { ChargePointsSchema, SessionSchema, toSession } from '../../lambdas/adapters/ampeco/schemas.ts';
import { parseCheckEvent } from '../../lambdas/check/environment.ts';
import { parseRules, parseRulesJson, RulesSchema } from '../../lambdas/config.ts';
import {
  type DecideInput,
  decide,
  MAX_ENERGY_LEAD_MS,
  MAX_SNAPSHOT_AGE_MS,
} from '../../lambdas/core/decide.ts';
import { estimateEnergy } from '../../lambdas/core/estimate.ts';
import { nextOccurrence, parseClock } from '../../lambdas/core/local-time.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import type { Session } from '../../lambdas/core/session.ts';
import { DEFAULT_SESSION_PRICE_FORMULA } from '../../lambdas/core/session-price.ts';
import { type Snapshot, toSnapshot } from '../../lambdas/core/snapshot.ts';
import { ConfigError } from '../../lambdas/errors.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ampeco');
const RUNS = { numRuns: 400 };

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** What an error escaping a parser must be: ConfigError (exit 2), nothing else. */
function configErrorOrValue<T>(run: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return { ok: false };
  }
}

/** Numbers a careless producer might send: NaN, infinities, -0, huge, tiny, negative, plus strings. */
const hostileNumber = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.double(),
  fc.integer(),
);
const hostileValue = fc.oneof(
  hostileNumber,
  fc.string(),
  fc.constantFrom('5', '', '07:00', 'NaN', 'Infinity', '1e3', 'session', 'spot', 'DK1'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

function expectSaneRules(rules: Rules): void {
  const limits = [rules.energyKwh, rules.maxPricePerKwh, rules.minEnergyKwh, rules.maxCost];
  const once = rules.once;
  if (once) limits.push(once.energyKwh, once.maxPricePerKwh, once.minEnergyKwh, once.maxCost);
  for (const limit of limits) {
    if (limit === undefined) continue;
    expect(Number.isFinite(limit)).toBe(true);
    expect(limit).toBeGreaterThanOrEqual(0);
  }
  if (rules.energyKwh !== undefined) expect(rules.energyKwh).toBeGreaterThan(0);
  if (rules.maxCost !== undefined) expect(rules.maxCost).toBeGreaterThan(0);
  if (rules.stopBy !== undefined) expect(parseClock(rules.stopBy)).not.toBeNull();
  const formula = rules.sessionPriceFormula;
  for (const n of [formula.spotFactor, formula.markupFactor, formula.fixedPerKwh]) {
    expect(Number.isFinite(n)).toBe(true);
  }
  expect(Number.isFinite(rules.tariff.flatPerKwh)).toBe(true);
  expect(rules.tariff.vatPercent).toBeGreaterThanOrEqual(0);
  expect(rules.tariff.vatPercent).toBeLessThanOrEqual(100);
  for (const zone of rules.tariff.zones) expect(Number.isFinite(zone.perKwh)).toBe(true);
  expect(['session', 'spot']).toContain(rules.priceSource);
  expect(['DK1', 'DK2']).toContain(rules.priceArea);
}

const RULE_KEYS = [
  'energyKwh',
  'maxPricePerKwh',
  'minEnergyKwh',
  'maxCost',
  'stopBy',
  'timezone',
  'priceSource',
  'priceArea',
  'dryRun',
] as const;

/** Objects shaped like rules (known keys, hostile values), so many get past the first check. */
const rulesLike = fc.oneof(
  fc.record(Object.fromEntries(RULE_KEYS.map((key) => [key, hostileValue])), { requiredKeys: [] }),
  fc.record(
    {
      energyKwh: fc.oneof(hostileNumber, fc.double({ min: 0, max: 200 })),
      maxCost: hostileNumber,
      once: fc.record(
        { energyKwh: hostileValue, maxPricePerKwh: hostileValue, sessionId: hostileValue },
        { requiredKeys: [] },
      ),
      tariff: fc.record(
        {
          flatPerKwh: hostileValue,
          vatPercent: hostileValue,
          zones: fc.array(fc.record({ from: hostileValue, to: hostileValue, perKwh: hostileValue }), {
            maxLength: 2,
          }),
        },
        { requiredKeys: [] },
      ),
      sessionPriceFormula: fc.record({ spotFactor: hostileValue }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
);

/** Each rule mostly plausible, sometimes hostile: many pass, and the ones that do are checked. */
const nearlyValid = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: hostileValue, weight: 1 });
const plausibleRules = fc.record(
  {
    energyKwh: nearlyValid(fc.double({ min: 0.001, max: 150, noNaN: true })),
    maxPricePerKwh: nearlyValid(fc.double({ min: 0, max: 10, noNaN: true })),
    minEnergyKwh: nearlyValid(fc.double({ min: 0, max: 150, noNaN: true })),
    maxCost: nearlyValid(fc.double({ min: 0.01, max: 1000, noNaN: true })),
    stopBy: nearlyValid(fc.constantFrom('07:00', '23:59', '00:00')),
    timezone: nearlyValid(fc.constantFrom('Europe/Copenhagen', 'UTC')),
    priceSource: nearlyValid(fc.constantFrom('session', 'spot')),
    dryRun: nearlyValid(fc.boolean()),
    once: nearlyValid(
      fc.record(
        {
          energyKwh: nearlyValid(fc.double({ min: 0.001, max: 150, noNaN: true })),
          sessionId: nearlyValid(fc.constant('1')),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('rules from outside: parseRules, RulesSchema, parseRulesJson', () => {
  it('accepts only sane rules from arbitrary values and throws nothing but ConfigError', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), rulesLike, plausibleRules), (input) => {
        const parsed = configErrorOrValue(() => parseRules(input, 'fuzzed rules'));
        if (parsed.ok) {
          accepted += 1;
          expectSaneRules(parsed.value);
        }
        // The schema agrees with the parser and never throws itself.
        expect(RulesSchema.safeParse(input).success).toBe(parsed.ok);
      }),
      { numRuns: 1_000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('reads arbitrary text as JSON rules or fails with ConfigError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          rulesLike.map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const parsed = configErrorOrValue(() => parseRulesJson(text, 'fuzzed file'));
          if (parsed.ok) expectSaneRules(parsed.value);
        },
      ),
      RUNS,
    );
  });
});

describe('CLI rule flags: rulesFromFlags', () => {
  /** Mostly plausible values (so many inputs are accepted and checked), some hostile. */
  const mostly = (valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string>) =>
    fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: hostile, weight: 1 });
  const numberish = mostly(
    fc.oneof(
      fc.integer({ min: 1, max: 500_000 }).map((n) => String(n / 1000)),
      fc.nat(200).map(String),
      fc.constantFrom(' 5 ', '+0.5', '00', '.5', '5.', '1,5', '9'.repeat(400)),
    ),
    fc.oneof(
      fc.string(),
      fc.double().map(String),
      fc.constantFrom('1e3', '0', '-0', '-1', '1,5,5', 'NaN', 'Infinity', '0x10', ''),
    ),
  );
  const flags = fc.record(
    {
      'energy-kwh': numberish,
      'max-price': numberish,
      'min-energy-kwh': numberish,
      'max-cost': numberish,
      'stop-by': mostly(
        fc
          .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
          .map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
        fc.oneof(fc.string(), fc.constantFrom('24:00', '7:60', '07:00:00', '7')),
      ),
      timezone: mostly(fc.constantFrom('UTC', 'Europe/Copenhagen', 'Asia/Kolkata'), fc.string()),
      'price-source': mostly(fc.constantFrom('session', 'spot'), fc.string()),
      'price-area': mostly(fc.constantFrom('dk1', 'DK2'), fc.constantFrom('DK3', '', 'dk 1')),
      'dry-run': fc.boolean(),
    },
    { requiredKeys: [] },
  );

  it('turns arbitrary flag strings into sane rules or a bad-input error (exit 2)', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(flags, async (values) => {
        let rules: Rules | null = null;
        try {
          rules = await rulesFromFlags(values, null);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
        if (rules === null) return;
        accepted += 1;
        expectSaneRules(rules);
        // A number flag that was accepted means what it says.
        const energy = values['energy-kwh'];
        if (energy !== undefined) {
          expect(rules.energyKwh).toBe(Number(energy.trim().replace(',', '.')));
        }
      }),
      RUNS,
    );
    // Enough inputs got through for the property to mean something.
    expect(accepted).toBeGreaterThan(RUNS.numRuns / 20);
  });
});

describe('scheduler event: parseCheckEvent', () => {
  it('yields an account name of 1 to 64 characters or throws ConfigError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ account: hostileValue }),
          fc.record({ account: fc.string({ maxLength: 80 }), extra: fc.anything() }),
        ),
        (event) => {
          const parsed = configErrorOrValue(() => parseCheckEvent(event));
          if (!parsed.ok) return;
          expect(typeof parsed.value.account).toBe('string');
          expect(parsed.value.account.length).toBeGreaterThanOrEqual(1);
          expect(parsed.value.account.length).toBeLessThanOrEqual(64);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// ---------------------------------------------------------------- AMPECO responses

type JsonObject = Record<string, unknown>;

function asObject(value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as JsonObject;
}

const CHARGE_POINTS = asObject(fixture('personal-charge-points-response.json'));
const SESSIONS: JsonObject[] = [
  asObject(asObject(fixture('session-start-response.json')).session),
  asObject(asObject(fixture('session-end-response.json')).session),
  asObject(asObject(fixture('session-detail-finished-response.json')).session),
];
const FIRST_EVSE_SESSION = ['data', 0, 'evses', 0, 'session'] as const;

/** One edit of a session object: delete a field, or give it another value or type. */
interface Mutation {
  readonly key: string;
  readonly inLastPeriod: boolean;
  readonly value: unknown;
  readonly remove: boolean;
}

const SESSION_KEYS = [
  'id',
  'status',
  'chargingState',
  'startedAt',
  'stoppedAt',
  'energy',
  'power',
  'amount',
  'totalAmount',
  'currency',
  'evseId',
  'lastPeriod',
];
const PERIOD_KEYS = ['state', 'amount', 'startedAt'];
const hostileDate = fc.constantFrom(
  '2025-03-30T14:33:51+00:00',
  'yesterday',
  '',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '0',
  '2025-13-45T99:99:99Z',
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  key: fc.constantFrom(...SESSION_KEYS),
  inLastPeriod: fc.boolean(),
  value: fc.oneof(hostileValue, hostileDate, fc.constantFrom('charging@price|abc&markup|1', 'idle@', '@')),
  remove: fc.boolean(),
});

function mutate(session: JsonObject, mutations: readonly Mutation[]): JsonObject {
  const copy = structuredClone(session);
  for (const m of mutations) {
    let target: JsonObject = copy;
    let key = m.key;
    if (m.inLastPeriod && typeof copy.lastPeriod === 'object' && copy.lastPeriod !== null) {
      target = copy.lastPeriod as JsonObject;
      key = PERIOD_KEYS[SESSION_KEYS.indexOf(m.key) % PERIOD_KEYS.length] ?? 'state';
    }
    if (m.remove) delete target[key];
    else target[key] = m.value;
  }
  return copy;
}

function expectSaneSession(session: Session): void {
  expect(typeof session.id).toBe('string');
  expect(session.id.length).toBeGreaterThan(0);
  expect(typeof session.status).toBe('string');
  expect(Number.isFinite(session.energyWh)).toBe(true);
  if (session.powerW !== null) expect(Number.isFinite(session.powerW)).toBe(true);
  if (session.amount !== null) expect(Number.isFinite(session.amount)).toBe(true);
  for (const date of [session.startedAt, session.stoppedAt, session.lastPeriod?.startedAt ?? null]) {
    if (date !== null) expect(Number.isNaN(date.getTime())).toBe(false);
  }
  const snapshot = toSnapshot(session, new Date('2026-01-15T12:00:00Z'), DEFAULT_SESSION_PRICE_FORMULA);
  expect(Number.isFinite(snapshot.energyKwh)).toBe(true);
  // Negative energy is parsed (failing the read would kill every rule) but must reach core as a doubt.
  if (snapshot.energyKwh < 0) expect(snapshot.doubts?.some((d) => d.startsWith('energy'))).toBe(true);
  if (snapshot.powerKw !== null) expect(Number.isFinite(snapshot.powerKw)).toBe(true);
  if (snapshot.sessionPricePerKwh !== null) expect(Number.isFinite(snapshot.sessionPricePerKwh)).toBe(true);
}

describe('AMPECO schemas on mutated real responses', () => {
  it('parse a mutated fixture session into a sane Session or reject it, never NaN energy', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...SESSIONS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (session, mutations, viaJson) => {
          const raw = mutate(session, mutations);
          // Over the wire NaN/Infinity become null and undefined keys vanish; in memory they do not.
          const input: unknown = viaJson ? JSON.parse(JSON.stringify(raw)) : raw;
          const parsed = SessionSchema.safeParse(input);
          if (!parsed.success) return;
          accepted += 1;
          expectSaneSession(toSession(parsed.data));
        },
      ),
      { numRuns: 1_000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('parse a mutated charge-points response into sane sessions or reject it', () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('session', 'evse', 'point', 'root'),
        hostileValue,
        (mutations, level, value) => {
          const body = structuredClone(CHARGE_POINTS);
          const point = asObject((body.data as unknown[])[FIRST_EVSE_SESSION[1]]);
          const evse = asObject((point.evses as unknown[])[FIRST_EVSE_SESSION[3]]);
          if (level === 'session') evse.session = mutate(asObject(evse.session), mutations);
          else if (level === 'evse') evse.id = value;
          else if (level === 'point') point.evses = value;
          else body.data = value;
          const parsed = ChargePointsSchema.safeParse(JSON.parse(JSON.stringify(body)));
          if (!parsed.success) return;
          for (const p of parsed.data.data) {
            for (const e of p.evses) if (e.session) expectSaneSession(toSession(e.session));
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('accepts the unmutated fixtures (the fuzz starts from valid data)', () => {
    expect(ChargePointsSchema.safeParse(CHARGE_POINTS).success).toBe(true);
    for (const session of SESSIONS) expect(SessionSchema.safeParse(session).success).toBe(true);
  });
});

// ---------------------------------------------------------------- decide on hostile snapshots

const NOW_MS = Date.parse('2026-01-15T12:00:00Z');
const HOUR_MS = 3_600_000;

/** Mostly plausible (so rules hold and end decisions get checked), often hostile. */
const hostileKwh = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      -1,
      1e308,
      5e-324,
    ),
    weight: 1,
  },
  { arbitrary: fc.double({ min: 0, max: 200, noNaN: true }), weight: 3 },
  { arbitrary: fc.double(), weight: 1 },
);
const hostileDateValue = fc.oneof(
  fc.integer({ min: NOW_MS - 30 * HOUR_MS, max: NOW_MS + HOUR_MS }).map((ms) => new Date(ms)),
  fc.constantFrom(
    new Date(Number.NaN),
    new Date(8.64e15),
    new Date(-8.64e15),
    new Date(0),
    new Date(NOW_MS - MAX_SNAPSHOT_AGE_MS),
    new Date(NOW_MS - MAX_SNAPSHOT_AGE_MS - 1),
  ),
);
const statusArb = fc.oneof(
  { arbitrary: fc.constant('active'), weight: 3 },
  {
    arbitrary: fc.constantFrom('starting', 'stopping', 'finished', 'paused', 'ACTIVE', ' active', ''),
    weight: 1,
  },
  { arbitrary: fc.string(), weight: 1 },
);

/** Mostly a fresh reading (so end decisions happen and get checked), sometimes anything. */
const observedAtArb = fc.oneof(
  {
    arbitrary: fc.integer({ min: NOW_MS - MAX_SNAPSHOT_AGE_MS, max: NOW_MS }).map((ms) => new Date(ms)),
    weight: 3,
  },
  { arbitrary: hostileDateValue, weight: 1 },
);

const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
  sessionId: fc.constantFrom('s1', 's2'),
  status: statusArb,
  chargingState: fc.constantFrom('charging', 'suspendedEV', 'eVConnected', null, 'weird'),
  observedAt: observedAtArb,
  startedAt: fc.option(hostileDateValue, { nil: null }),
  energyKwh: hostileKwh,
  powerKw: fc.option(hostileKwh, { nil: null }),
  cost: fc.option(hostileKwh, { nil: null }),
  currency: fc.constantFrom('DKK', null),
  sessionPricePerKwh: fc.option(hostileKwh, { nil: null }),
});

const validRulesArb: fc.Arbitrary<Rules> = fc
  .record(
    {
      energyKwh: fc.double({ min: 0.001, max: 150, noNaN: true }),
      maxPricePerKwh: fc.double({ min: 0, max: 10, noNaN: true }),
      minEnergyKwh: fc.double({ min: 0, max: 150, noNaN: true }),
      maxCost: fc.double({ min: 0.01, max: 1000, noNaN: true }),
      stopBy: fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
      timezone: fc.constantFrom('Europe/Copenhagen', 'UTC', 'Pacific/Kiritimati'),
    },
    { requiredKeys: [] },
  )
  .map((r) => parseRules(r));

/** Whether the named rule truly holds on the inputs (recomputed independently of decide). */
function ruleHolds(reason: string, input: DecideInput): boolean {
  const { snapshot: s, rules, now, price } = input;
  if (!s) return false;
  const lead = Math.min(MAX_ENERGY_LEAD_MS, Math.max(0, input.energyLeadMs ?? 0));
  const energy = estimateEnergy(s, new Date(now.getTime() + lead), input.previous).kwh;
  switch (reason) {
    case 'energy':
      return rules.energyKwh !== undefined && energy >= rules.energyKwh - 0.001;
    case 'cost':
      return rules.maxCost !== undefined && s.cost !== null && s.cost >= rules.maxCost;
    case 'deadline': {
      const clock = rules.stopBy === undefined ? null : parseClock(rules.stopBy);
      if (clock === null) return false;
      const earlier = input.previous?.sessionId === s.sessionId ? input.previous : null;
      const from = s.startedAt ?? earlier?.startedAt ?? earlier?.observedAt ?? s.observedAt;
      const deadline = nextOccurrence(from, clock, rules.timezone);
      return now.getTime() >= deadline.getTime();
    }
    case 'price':
      return (
        rules.maxPricePerKwh !== undefined &&
        price !== null &&
        price.perKwh > rules.maxPricePerKwh &&
        energy >= (rules.minEnergyKwh ?? 0)
      );
    default:
      return false;
  }
}

describe('decide on hostile snapshots', () => {
  it('ends only an active, fresh, valid reading, and only when the named rule truly holds', () => {
    const ends = new Set<string>();
    fc.assert(
      fc.property(
        snapshotArb,
        validRulesArb,
        fc.option(
          hostileKwh.map((perKwh) => ({ perKwh, source: 'session' as const })),
          { nil: null },
        ),
        fc.option(snapshotArb, { nil: null }),
        fc.constantFrom(undefined, 0, 5_000, 3_600_000),
        (snapshot, rules, price, previous, energyLeadMs) => {
          const now = new Date(NOW_MS);
          const input: DecideInput = { snapshot, rules, now, price, previous, energyLeadMs };
          const decision = decide(input);
          if (decision.action !== 'end') return;
          ends.add(decision.reason);
          const ageMs = now.getTime() - snapshot.observedAt.getTime();
          expect(snapshot.status).toBe('active');
          expect(ageMs).toBeLessThanOrEqual(MAX_SNAPSHOT_AGE_MS);
          expect(Number.isFinite(snapshot.energyKwh) && snapshot.energyKwh >= 0).toBe(true);
          if (previous && previous.sessionId === snapshot.sessionId) {
            expect(previous.energyKwh > snapshot.energyKwh).toBe(false);
          }
          expect(ruleHolds(decision.reason, input)).toBe(true);
          expect(decision.sessionId).toBe(snapshot.sessionId);
        },
      ),
      { numRuns: 2_000 },
    );
    // Every rule actually ended something during the run, so each branch was checked.
    expect([...ends].sort()).toEqual(['cost', 'deadline', 'energy', 'price']);
  });

  it('counts a deadline from the previous reading when the session has no start time', () => {
    // Prepare: stopBy 13:00 Copenhagen (12:00Z); readings at 11:59Z and 12:01Z, no startedAt.
    const rules = parseRules({ stopBy: '13:00', timezone: 'Europe/Copenhagen' });
    const reading = (iso: string): Snapshot => ({
      sessionId: 's1',
      status: 'active',
      chargingState: 'charging',
      observedAt: new Date(iso),
      startedAt: null,
      energyKwh: 3,
      powerKw: 11,
      cost: null,
      currency: null,
      sessionPricePerKwh: null,
    });
    const before = reading('2026-01-15T11:59:00Z');
    const after = reading('2026-01-15T12:01:00Z');

    // Act
    const alone = decide({ snapshot: after, rules, now: after.observedAt, price: null });
    const withPrevious = decide({
      snapshot: after,
      rules,
      now: after.observedAt,
      price: null,
      previous: before,
    });

    // Assess: alone, 13:00 "after this reading" is tomorrow and would never be met.
    expect(alone.action).toBe('continue');
    expect(withPrevious).toMatchObject({ action: 'end', reason: 'deadline' });
  });

  it('answers already-stopping for stopping/finished and never end for any other non-active status', () => {
    fc.assert(
      fc.property(snapshotArb, validRulesArb, (snapshot, rules) => {
        const decision = decide({ snapshot, rules, now: new Date(NOW_MS), price: null });
        if (snapshot.status === 'stopping' || snapshot.status === 'finished') {
          expect(decision.action).toBe('already-stopping');
        } else if (snapshot.status !== 'active') {
          expect(decision.action).toBe('continue');
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
