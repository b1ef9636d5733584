import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../lambdas/config.ts';
import { type DecideInput, type Decision, decide, MAX_SNAPSHOT_AGE_MS } from '../../lambdas/core/decide.ts';
import { estimateEnergy } from '../../lambdas/core/estimate.ts';
import { nextOccurrence, parseClock } from '../../lambdas/core/local-time.ts';
import type { PriceReading, PriceSlot } from '../../lambdas/core/prices.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import type { Snapshot } from '../../lambdas/core/snapshot.ts';
import { SNAPSHOT_NOW, snapshot } from '../support/snapshots.ts';

const NOW = SNAPSHOT_NOW;
const HOUR_MS = 3_600_000;
const DEFAULTS: Rules = parseRules({});

function rules(overrides: Partial<Rules> = {}): Rules {
  return { ...DEFAULTS, ...overrides };
}

function price(perKwh: number): PriceReading {
  return { perKwh, source: 'session' };
}

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return { snapshot: snapshot(), rules: rules(), now: NOW, price: price(1.5), ...overrides };
}

function reasonOf(decision: Decision): string | null {
  return decision.action === 'end' ? decision.reason : null;
}

function wakeOf(decision: Decision) {
  return decision.action === 'continue' ? decision.wake : undefined;
}

describe('decide: each rule on its own', () => {
  it.each([
    { name: 'energy at the target', rules: { energyKwh: 10 }, snap: {}, p: 1.5, reason: 'energy' },
    { name: 'energy above the target', rules: { energyKwh: 9.5 }, snap: {}, p: 1.5, reason: 'energy' },
    { name: 'energy 2 Wh below the target', rules: { energyKwh: 10.002 }, snap: {}, p: 1.5, reason: null },
    { name: 'cost at the cap', rules: { maxCost: 20 }, snap: {}, p: 1.5, reason: 'cost' },
    { name: 'cost just below the cap', rules: { maxCost: 20.01 }, snap: {}, p: 1.5, reason: null },
    { name: 'cost unknown', rules: { maxCost: 1 }, snap: { cost: null }, p: 1.5, reason: null },
    { name: 'price above the limit', rules: { maxPricePerKwh: 1.49 }, snap: {}, p: 1.5, reason: 'price' },
    { name: 'price equal to the limit', rules: { maxPricePerKwh: 1.5 }, snap: {}, p: 1.5, reason: null },
    { name: 'price below the limit', rules: { maxPricePerKwh: 2 }, snap: {}, p: 1.5, reason: null },
    // Session started 12:00 CET (11:00Z); now is 13:00 CET.
    { name: 'deadline passed', rules: { stopBy: '12:30' }, snap: {}, p: 1.5, reason: 'deadline' },
    { name: 'deadline exactly now', rules: { stopBy: '13:00' }, snap: {}, p: 1.5, reason: 'deadline' },
    { name: 'deadline one minute ahead', rules: { stopBy: '13:01' }, snap: {}, p: 1.5, reason: null },
  ] satisfies {
    name: string;
    rules: Partial<Rules>;
    snap: Partial<Snapshot>;
    p: number;
    reason: string | null;
  }[])('ends or continues correctly for $name', (row) => {
    // Prepare
    const given = input({ rules: rules(row.rules), snapshot: snapshot(row.snap), price: price(row.p) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe(row.reason === null ? 'continue' : 'end');
    expect(reasonOf(decision)).toBe(row.reason);
  });

  it('names the rule and its numbers in the detail', () => {
    // Prepare
    const given = input({ rules: rules({ energyKwh: 9.5 }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision).toEqual({
      action: 'end',
      sessionId: 's1',
      reason: 'energy',
      detail: 'energy 10 kWh reached the target of 9.5 kWh',
    });
  });

  it('names the currency of the session price and of a spot price in the price rule', () => {
    // Act
    const session = decide(input({ rules: rules({ maxPricePerKwh: 1.49 }), price: price(1.5) }));
    const spot = decide(
      input({
        snapshot: snapshot({ currency: 'EUR' }),
        rules: rules({ maxPricePerKwh: 3 }),
        price: { perKwh: 2.5, source: 'spot' },
      }),
    );

    // Assess
    expect(session).toMatchObject({
      action: 'end',
      detail: 'price 1.5 DKK/kWh (session) is above the limit of 1.49 DKK/kWh',
    });
    expect(spot).toMatchObject({ action: 'continue', notes: ['price 2.5 of max 3 DKK/kWh'] });
  });

  it('continues with no notes and no wake when no rule is set', () => {
    // Prepare
    const given = input();

    // Act
    const decision = decide(given);

    // Assess
    expect(decision).toEqual({ action: 'continue', sessionId: 's1', notes: [], wake: null });
  });
});

describe('decide: precedence', () => {
  const all = { energyKwh: 5, maxCost: 10, stopBy: '12:30', maxPricePerKwh: 1 } satisfies Partial<Rules>;

  it.each([
    { name: 'every rule holds', drop: [], reason: 'energy' },
    { name: 'cost, deadline and price hold', drop: ['energyKwh'], reason: 'cost' },
    { name: 'deadline and price hold', drop: ['energyKwh', 'maxCost'], reason: 'deadline' },
    { name: 'only price holds', drop: ['energyKwh', 'maxCost', 'stopBy'], reason: 'price' },
  ] satisfies { name: string; drop: (keyof typeof all)[]; reason: string }[])(
    'reports $reason when $name',
    ({ drop, reason }) => {
      // Prepare
      const set: Partial<Rules> = { ...all };
      for (const key of drop) delete set[key];
      const given = input({ rules: rules(set) });

      // Act
      const decision = decide(given);

      // Assess
      expect(reasonOf(decision)).toBe(reason);
    },
  );
});

describe('decide: the one-session stop-now and leave-alone', () => {
  const all = { energyKwh: 5, maxCost: 10, stopBy: '12:30', maxPricePerKwh: 1 } satisfies Partial<Rules>;

  it('ends with reason manual before any other rule when stop-now was requested', () => {
    // Prepare
    const given = input({ rules: rules({ ...all, stopNow: true }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision).toEqual({
      action: 'end',
      sessionId: 's1',
      reason: 'manual',
      detail: 'stop now was requested',
    });
  });

  it('ends with reason manual when stop-now is the only rule', () => {
    // Act
    const decision = decide(input({ rules: rules({ stopNow: true }) }));

    // Assess
    expect(reasonOf(decision)).toBe('manual');
  });

  it('never ends a session that is left alone, whatever holds, and does not wake', () => {
    // Prepare
    const given = input({ rules: rules({ ...all, stopNow: true, leaveAlone: true }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision).toEqual({
      action: 'continue',
      sessionId: 's1',
      notes: ['left alone: no rule ends this session (one-session override)'],
      wake: null,
    });
  });

  it('does not stop on a stale reading even when stop-now was requested', () => {
    // Prepare
    const stale = snapshot({ observedAt: new Date(NOW.getTime() - MAX_SNAPSHOT_AGE_MS - 1) });

    // Act
    const decision = decide(input({ rules: rules({ stopNow: true }), snapshot: stale }));

    // Assess
    expect(decision.action).toBe('continue');
  });
});

describe('decide: minEnergyKwh gates the price rule only', () => {
  it('does not end on price below the minimum energy', () => {
    // Prepare
    const given = input({
      rules: rules({ maxPricePerKwh: 1, minEnergyKwh: 12 }),
      snapshot: snapshot({ energyKwh: 11.99 }),
    });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe('continue');
  });

  it('ends on price once the minimum energy is reached', () => {
    // Prepare
    const given = input({
      rules: rules({ maxPricePerKwh: 1, minEnergyKwh: 12 }),
      snapshot: snapshot({ energyKwh: 12 }),
    });

    // Act
    const decision = decide(given);

    // Assess
    expect(reasonOf(decision)).toBe('price');
  });

  it('does not hold back the cost rule', () => {
    // Prepare
    const given = input({
      rules: rules({ maxPricePerKwh: 1, minEnergyKwh: 12, maxCost: 5 }),
      snapshot: snapshot({ energyKwh: 1 }),
    });

    // Act
    const decision = decide(given);

    // Assess
    expect(reasonOf(decision)).toBe('cost');
  });
});

describe('decide: session status and data quality', () => {
  const every = { energyKwh: 1, maxCost: 1, stopBy: '00:00', maxPricePerKwh: 0 } satisfies Partial<Rules>;

  it('answers none when there is no session', () => {
    // Prepare
    const given = input({ snapshot: null, rules: rules(every) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision).toEqual({ action: 'none' });
  });

  it.each(['stopping', 'finished'])('answers already-stopping for a %s session', (status) => {
    // Prepare
    const given = input({ snapshot: snapshot({ status }), rules: rules(every) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision).toEqual({ action: 'already-stopping', sessionId: 's1', status });
  });

  it.each(['starting', 'suspended', ''])('continues on a session with status "%s"', (status) => {
    // Prepare
    const given = input({ snapshot: snapshot({ status }), rules: rules(every) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe('continue');
  });

  it('continues on a reading older than five minutes', () => {
    // Prepare
    const observedAt = new Date(NOW.getTime() - MAX_SNAPSHOT_AGE_MS - 1);
    const given = input({ snapshot: snapshot({ observedAt }), rules: rules(every) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe('continue');
    expect(decision.action === 'continue' && decision.notes).toContain('reading is stale');
  });

  it('still acts on a reading exactly five minutes old', () => {
    // Prepare
    const observedAt = new Date(NOW.getTime() - MAX_SNAPSHOT_AGE_MS);
    const given = input({ snapshot: snapshot({ observedAt }), rules: rules({ energyKwh: 1 }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(reasonOf(decision)).toBe('energy');
  });

  it('continues when energy went backwards since the previous observation', () => {
    // Prepare
    const previous = snapshot({ energyKwh: 10.5, observedAt: new Date(NOW.getTime() - 60_000) });
    const given = input({ previous, rules: rules(every) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe('continue');
  });

  it('ignores a previous observation of another session', () => {
    // Prepare
    const previous = snapshot({ sessionId: 'other', energyKwh: 50 });
    const given = input({ previous, rules: rules({ energyKwh: 10 }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(reasonOf(decision)).toBe('energy');
  });

  it.each([Number.NaN, -0.001, Number.POSITIVE_INFINITY])(
    'continues on an invalid energy reading %s',
    (e) => {
      // Prepare
      const given = input({ snapshot: snapshot({ energyKwh: e }), rules: rules(every) });

      // Act
      const decision = decide(given);

      // Assess
      expect(decision.action).toBe('continue');
    },
  );

  it.each([
    { name: 'null', p: null },
    { name: 'NaN', p: price(Number.NaN) },
  ])('never ends on price when the price is $name', ({ p }) => {
    // Prepare
    const given = input({ price: p, rules: rules({ maxPricePerKwh: 0 }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe('continue');
    expect(decision.action === 'continue' && decision.notes.join(' ')).toContain('price unknown');
  });

  it('returns end on a dry run too: dry-run is handled by the caller', () => {
    // Prepare
    const given = input({ rules: rules({ energyKwh: 5, dryRun: true }) });

    // Act
    const decision = decide(given);

    // Assess
    expect(reasonOf(decision)).toBe('energy');
  });

  it('judges energy where a stop sent now takes effect: 10 kWh + 11 kW x 4 s ends a 10.012 kWh target', () => {
    // Prepare: 11 kW for 4 s is 0.0122 kWh.
    const target = rules({ energyKwh: 10.012 });

    // Act
    const now = decide(input({ rules: target }));
    const withLead = decide(input({ rules: target, energyLeadMs: 4_000 }));

    // Assess
    expect(now.action).toBe('continue');
    expect(reasonOf(withLead)).toBe('energy');
  });

  it('extrapolates from the meter sample, not from the read, and says so in local time', () => {
    // Prepare: the meter sample is 30 s older than the read; 11 kW x 30 s = 0.0917 kWh.
    // 11:59:30 UTC in January is 12:59:30 in Copenhagen (the default rules' zone).
    const s = snapshot({ sampledAt: new Date(NOW.getTime() - 30_000) });

    // Act
    const decision = decide(input({ snapshot: s, rules: rules({ energyKwh: 10.09 }) }));

    // Assess
    expect(decision).toMatchObject({
      action: 'end',
      reason: 'energy',
      detail:
        'energy 10.092 kWh (estimated; meter 10 kWh at 12:59:30 Europe/Copenhagen) reached the target of 10.09 kWh',
    });
  });

  it('never aims more than 30 s early', () => {
    // Prepare: 11 kW x 30 s = 0.0917 kWh; the target is 0.1 kWh away.
    const given = input({ rules: rules({ energyKwh: 10.1 }), energyLeadMs: 3_600_000 });

    // Act
    const decision = decide(given);

    // Assess
    expect(decision.action).toBe('continue');
  });

  it.each([
    { name: 'impossible energy', snap: { energyKwh: 1e9 } },
    { name: 'impossible cost', snap: { doubts: ['cost 1e+300'] } },
  ])('ends nothing on $name and notes why', ({ snap }) => {
    // Prepare
    const s = snapshot({ doubts: ['energy 1000000000 kWh is more than 400 kW could deliver'], ...snap });

    // Act
    const decision = decide(input({ snapshot: s, rules: rules({ energyKwh: 5, maxCost: 1 }) }));

    // Assess
    expect(decision.action).toBe('continue');
    expect(decision.action === 'continue' && decision.notes[0]).toMatch(/^impossible reading: /);
  });
});

describe('decide: deadline in local time', () => {
  const deadlineCase = (startedAt: string, now: string, stopBy: string, timezone = 'Europe/Copenhagen') =>
    decide(
      input({
        snapshot: snapshot({ startedAt: new Date(startedAt), observedAt: new Date(now) }),
        now: new Date(now),
        rules: rules({ stopBy, timezone }),
      }),
    );

  it('uses the next morning for a session started the evening before (across midnight)', () => {
    // Prepare: started 21:00 CET, stop by 07:00 CET = 06:00Z the next day.
    const start = '2026-01-15T20:00:00Z';

    // Act
    const before = deadlineCase(start, '2026-01-16T05:59:00Z', '07:00');
    const at = deadlineCase(start, '2026-01-16T06:00:00Z', '07:00');

    // Assess
    expect(before.action).toBe('continue');
    expect(wakeOf(before)).toEqual({ at: new Date('2026-01-16T06:00:00Z'), reason: 'deadline' });
    expect(reasonOf(at)).toBe('deadline');
  });

  it('uses the same day when the session started before the deadline time', () => {
    // Prepare: started 06:00 CET, stop by 07:00 CET.
    const start = '2026-01-16T05:00:00Z';

    // Act
    const at = deadlineCase(start, '2026-01-16T06:00:00Z', '07:00');

    // Assess
    expect(reasonOf(at)).toBe('deadline');
  });

  it('follows the spring DST change: 07:00 CEST is 05:00Z', () => {
    // Prepare: started 22:00 CET on 2026-03-28; clocks go forward at 02:00 on 2026-03-29.
    const start = '2026-03-28T21:00:00Z';

    // Act
    const before = deadlineCase(start, '2026-03-29T04:59:00Z', '07:00');
    const at = deadlineCase(start, '2026-03-29T05:00:00Z', '07:00');

    // Assess
    expect(before.action).toBe('continue');
    expect(reasonOf(at)).toBe('deadline');
  });

  it('follows the autumn DST change: 07:00 CET is 06:00Z, not 24 h after 07:00 CEST', () => {
    // Prepare: started 22:00 CEST on 2026-10-24; clocks go back at 03:00 on 2026-10-25.
    const start = '2026-10-24T20:00:00Z';

    // Act
    const before = deadlineCase(start, '2026-10-25T05:30:00Z', '07:00');
    const at = deadlineCase(start, '2026-10-25T06:00:00Z', '07:00');

    // Assess
    expect(before.action).toBe('continue');
    expect(reasonOf(at)).toBe('deadline');
  });

  it('reads stopBy in the rules time zone', () => {
    // Prepare: 07:00 in New York (EST) is 12:00Z.
    const start = '2026-01-16T01:00:00Z';

    // Act
    const before = deadlineCase(start, '2026-01-16T11:59:00Z', '07:00', 'America/New_York');
    const at = deadlineCase(start, '2026-01-16T12:00:00Z', '07:00', 'America/New_York');

    // Assess
    expect(before.action).toBe('continue');
    expect(reasonOf(at)).toBe('deadline');
  });
});

describe('decide: wake predictions', () => {
  it('predicts when the energy target will be reached at the current power', () => {
    // Prepare: 1 kWh to go at 11 kW.
    const given = input({ rules: rules({ energyKwh: 11 }) });

    // Act
    const wake = wakeOf(decide(given));

    // Assess
    expect(wake?.reason).toBe('energy');
    expect(wake?.at.getTime()).toBeCloseTo(NOW.getTime() + HOUR_MS / 11, -1);
  });

  it('does not predict energy when the car is not charging', () => {
    // Prepare
    const given = input({
      rules: rules({ energyKwh: 11 }),
      snapshot: snapshot({ chargingState: 'suspendedEV', powerKw: 0 }),
    });

    // Act
    const wake = wakeOf(decide(given));

    // Assess
    expect(wake).toBeNull();
  });

  it('wakes for the earliest rule: a deadline before the energy target', () => {
    // Prepare: energy in ~5.5 min; deadline 13:02 CET = 12:02Z.
    const given = input({ rules: rules({ energyKwh: 11, stopBy: '13:02' }) });

    // Act
    const wake = wakeOf(decide(given));

    // Assess
    expect(wake).toEqual({ at: new Date('2026-01-15T12:02:00Z'), reason: 'deadline' });
  });

  it('wakes at the first forecast slot above the price limit', () => {
    // Prepare
    const slot = (fromMin: number, perKwh: number): PriceSlot => ({
      start: new Date(NOW.getTime() + fromMin * 60_000),
      end: new Date(NOW.getTime() + (fromMin + 15) * 60_000),
      perKwh,
    });
    const forecast = [slot(-5, 1), slot(10, 1.2), slot(25, 3)];
    const given = input({ rules: rules({ maxPricePerKwh: 2 }), price: price(1), forecast });

    // Act
    const wake = wakeOf(decide(given));

    // Assess
    expect(wake).toEqual({ at: new Date(NOW.getTime() + 25 * 60_000), reason: 'price' });
  });

  it('does not wake for a price crossing before the minimum energy will be reached', () => {
    // Prepare: at 11 kW, energy at +25 min is about 14.6 kWh, below the minimum of 20.
    const forecast: PriceSlot[] = [
      { start: new Date(NOW.getTime() - 60_000), end: new Date(NOW.getTime() + 25 * 60_000), perKwh: 1 },
      { start: new Date(NOW.getTime() + 25 * 60_000), end: new Date(NOW.getTime() + 40 * 60_000), perKwh: 3 },
    ];
    const given = input({ rules: rules({ maxPricePerKwh: 2, minEnergyKwh: 20 }), price: price(1), forecast });

    // Act
    const wake = wakeOf(decide(given));

    // Assess
    expect(wake).toBeNull();
  });
});

// ---------------------------------------------------------------- properties

const BASE_MS = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MS = 365 * 24 * HOUR_MS;

const clockArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const rulesArb: fc.Arbitrary<Rules> = fc
  .record({
    energyKwh: fc.option(fc.double({ min: 0.001, max: 150, noNaN: true }), { nil: undefined }),
    maxPricePerKwh: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
    minEnergyKwh: fc.option(fc.double({ min: 0, max: 150, noNaN: true }), { nil: undefined }),
    maxCost: fc.option(fc.double({ min: 0.01, max: 1000, noNaN: true }), { nil: undefined }),
    stopBy: fc.option(clockArb, { nil: undefined }),
    timezone: fc.constantFrom('Europe/Copenhagen', 'UTC', 'America/New_York', 'Asia/Kolkata'),
    dryRun: fc.boolean(),
  })
  .map((r) => rules(r));

interface Scenario {
  readonly snapshot: Snapshot;
  readonly now: Date;
  readonly price: PriceReading | null;
}

const scenarioArb = (status?: fc.Arbitrary<string>): fc.Arbitrary<Scenario> =>
  fc
    .record({
      nowMs: fc.integer({ min: BASE_MS, max: BASE_MS + 2 * YEAR_MS }),
      ageMs: fc.integer({ min: 0, max: 2 * MAX_SNAPSHOT_AGE_MS }),
      sinceStartMs: fc.option(fc.integer({ min: 0, max: 30 * HOUR_MS }), { nil: null }),
      status:
        status ?? fc.constantFrom('active', 'active', 'active', 'starting', 'stopping', 'finished', 'x'),
      chargingState: fc.constantFrom('charging', 'suspendedEV', 'suspendedEVSE', 'eVConnected', null),
      energyKwh: fc.double({ min: 0, max: 150, noNaN: true }),
      powerKw: fc.option(fc.double({ min: 0, max: 350, noNaN: true }), { nil: null }),
      cost: fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: null }),
      price: fc.option(
        fc.double({ min: -1, max: 10, noNaN: true }).map((perKwh) => price(perKwh)),
        { nil: null },
      ),
    })
    .map((r) => {
      const observedAt = new Date(r.nowMs - r.ageMs);
      return {
        now: new Date(r.nowMs),
        price: r.price,
        snapshot: snapshot({
          status: r.status,
          chargingState: r.chargingState,
          observedAt,
          startedAt: r.sinceStartMs === null ? null : new Date(observedAt.getTime() - r.sinceStartMs),
          energyKwh: r.energyKwh,
          powerKw: r.powerKw,
          cost: r.cost,
        }),
      };
    });

describe('decide: properties', () => {
  it('never ends when every rule is unset', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.boolean(), ({ snapshot: s, now, price: p }, dryRun) => {
        const decision = decide({ snapshot: s, now, price: p, rules: rules({ dryRun }) });
        expect(decision.action).not.toBe('end');
      }),
    );
  });

  it('never ends on a stale reading', () => {
    fc.assert(
      fc.property(
        scenarioArb(),
        rulesArb,
        fc.integer({ min: 1, max: 48 * HOUR_MS }),
        ({ snapshot: s, price: p }, r, extraAgeMs) => {
          const now = new Date(s.observedAt.getTime() + MAX_SNAPSHOT_AGE_MS + extraAgeMs);
          expect(decide({ snapshot: s, now, price: p, rules: r }).action).not.toBe('end');
        },
      ),
    );
  });

  it('never ends a session whose status is not active', () => {
    const status = fc.oneof(fc.constantFrom('starting', 'stopping', 'finished'), fc.string());
    fc.assert(
      fc.property(scenarioArb(status.filter((x) => x !== 'active')), rulesArb, (sc, r) => {
        expect(decide({ ...sc, rules: r }).action).not.toBe('end');
      }),
    );
  });

  it('ends at every higher energy once it ends, with the energy reason kept', () => {
    fc.assert(
      fc.property(
        scenarioArb(fc.constant('active')),
        rulesArb,
        fc.double({ min: 0, max: 100, noNaN: true }),
        (sc, r, more) => {
          const low = decide({ ...sc, rules: r });
          const high = decide({
            ...sc,
            rules: r,
            snapshot: { ...sc.snapshot, energyKwh: sc.snapshot.energyKwh + more },
          });
          if (low.action === 'end') expect(high.action).toBe('end');
          if (reasonOf(low) === 'energy') expect(reasonOf(high)).toBe('energy');
        },
      ),
    );
  });

  it('never ends with only a price rule and an unknown price', () => {
    fc.assert(
      fc.property(
        scenarioArb(),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 150, noNaN: true }), { nil: undefined }),
        (sc, maxPricePerKwh, minEnergyKwh) => {
          const r = rules({ maxPricePerKwh, minEnergyKwh });
          expect(decide({ ...sc, price: null, rules: r }).action).not.toBe('end');
        },
      ),
    );
  });

  it('only gives a reason whose rule holds on the inputs', () => {
    fc.assert(
      fc.property(scenarioArb(fc.constant('active')), rulesArb, (sc, r) => {
        const decision = decide({ ...sc, rules: r });
        if (decision.action !== 'end') return;
        const s = sc.snapshot;
        switch (decision.reason) {
          case 'energy':
            expect(r.energyKwh).toBeDefined();
            expect(estimateEnergy(s, sc.now).kwh).toBeGreaterThanOrEqual(
              (r.energyKwh ?? Number.POSITIVE_INFINITY) - 0.001,
            );
            break;
          case 'cost':
            expect(s.cost).not.toBeNull();
            expect(s.cost ?? Number.NEGATIVE_INFINITY).toBeGreaterThanOrEqual(
              r.maxCost ?? Number.POSITIVE_INFINITY,
            );
            break;
          case 'deadline': {
            const clock = parseClock(r.stopBy ?? '');
            expect(clock).not.toBeNull();
            if (clock === null) return;
            const deadline = nextOccurrence(s.startedAt ?? s.observedAt, clock, r.timezone);
            expect(sc.now.getTime()).toBeGreaterThanOrEqual(deadline.getTime());
            break;
          }
          case 'price':
            expect(sc.price).not.toBeNull();
            expect(sc.price?.perKwh ?? Number.NEGATIVE_INFINITY).toBeGreaterThan(
              r.maxPricePerKwh ?? Number.POSITIVE_INFINITY,
            );
            // The minimum is judged on the estimate, like the energy target.
            expect(estimateEnergy(s, sc.now).kwh).toBeGreaterThanOrEqual(r.minEnergyKwh ?? 0);
            break;
        }
      }),
    );
  });

  it('never wakes before the reading it predicts from', () => {
    fc.assert(
      fc.property(scenarioArb(fc.constant('active')), rulesArb, (sc, r) => {
        const wake = wakeOf(decide({ ...sc, rules: r }));
        if (wake) expect(wake.at.getTime()).toBeGreaterThanOrEqual(sc.snapshot.observedAt.getTime());
      }),
    );
  });
});
