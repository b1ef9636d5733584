import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDayAheadResponse, parseTimeUtc } from '../../lambdas/adapters/energidataservice/client.ts';
import {
  addDays,
  dayBoundsUtc,
  expectedSlotCount,
  localDateOf,
  type SpotSlot,
  toConsumerSlots,
} from '../../lambdas/core/consumer-price.ts';
import { wallTime } from '../../lambdas/core/local-time.ts';
import type { Tariff } from '../../lambdas/core/rules.ts';

const DK = 'Europe/Copenhagen';
const QUARTER_MS = 15 * 60_000;
const NO_TARIFF: Tariff = { flatPerKwh: 0, zones: [], vatPercent: 0, hourlyAverage: false };

const two = (n: number) => String(n).padStart(2, '0');

/** Records shaped like EDS DayAheadPrices for one Copenhagen day: TimeUTC/TimeDK without zone. */
function edsRecords(date: string, price: (start: Date, index: number) => number | null, area = 'DK1') {
  const { start, end } = dayBoundsUtc(date, DK);
  const records = [];
  for (let t = start.getTime(), i = 0; t < end.getTime(); t += QUARTER_MS, i++) {
    const slot = new Date(t);
    const w = wallTime(slot, DK);
    const dkk = price(slot, i);
    records.push({
      TimeUTC: slot.toISOString().slice(0, 19),
      TimeDK: `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}:00`,
      PriceArea: area,
      DayAheadPriceDKK: dkk,
      DayAheadPriceEUR: dkk === null ? null : Math.round((dkk / 7.46) * 100) / 100,
    });
  }
  return records;
}

function body(records: unknown[]) {
  return {
    total: records.length,
    filters: '{"PriceArea":["DK1"]}',
    limit: 500,
    dataset: 'DayAheadPrices',
    records,
  };
}

/** A spot slot starting at a Copenhagen wall time on 2026-11-24 (UTC+1). */
function slotAtLocal(clock: string, spotDkkPerMwh: number, minutes = 15): SpotSlot {
  const start = new Date(`2026-11-24T${clock}:00+01:00`);
  return { start, end: new Date(start.getTime() + minutes * 60_000), spotDkkPerMwh };
}

describe('dayBoundsUtc and expectedSlotCount', () => {
  it('gives a winter day 96 quarter-hours from local midnight to local midnight', () => {
    // Prepare
    const date = '2026-11-24';

    // Act
    const bounds = dayBoundsUtc(date, DK);

    // Assess
    expect(bounds.start.toISOString()).toBe('2026-11-23T23:00:00.000Z');
    expect(bounds.end.toISOString()).toBe('2026-11-24T23:00:00.000Z');
    expect(expectedSlotCount(date, DK)).toBe(96);
  });

  it('gives the spring DST day 92 and the autumn DST day 100 quarter-hours', () => {
    // Act
    const spring = expectedSlotCount('2026-03-29', DK);
    const autumn = expectedSlotCount('2026-10-25', DK);

    // Assess
    expect(spring).toBe(92);
    expect(autumn).toBe(100);
    expect(dayBoundsUtc('2026-10-25', DK).end.toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('rejects a date that is not YYYY-MM-DD or does not exist', () => {
    // Act / Assess
    expect(() => dayBoundsUtc('2026-02-30', DK)).toThrow(RangeError);
    expect(() => expectedSlotCount('24-11-2026', DK)).toThrow(RangeError);
  });

  it('moves calendar dates across month ends and maps instants to the Copenhagen date', () => {
    // Act / Assess
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(localDateOf(new Date('2026-11-23T23:30:00Z'), DK)).toBe('2026-11-24');
  });
});

describe('parseDayAheadResponse with real-shaped records', () => {
  it('parses TimeUTC without Z as UTC', () => {
    // Act
    const instant = parseTimeUtc('2026-11-24T12:15:00');

    // Assess
    expect(instant.toISOString()).toBe('2026-11-24T12:15:00.000Z');
  });

  it('keeps all 100 slots of the October DST day although TimeDK repeats an hour', () => {
    // Prepare
    const records = edsRecords('2026-10-25', (_start, i) => 100 + i);
    const bounds = dayBoundsUtc('2026-10-25', DK);
    const timeDk = records.map((r) => r.TimeDK);

    // Act
    const { slots } = parseDayAheadResponse(body(records), { area: 'DK1', ...bounds });
    const consumer = toConsumerSlots(slots, NO_TARIFF, DK);

    // Assess
    expect(new Set(timeDk).size).toBe(96);
    expect(timeDk.filter((t) => t === '2026-10-25T02:00:00')).toHaveLength(2);
    expect(slots).toHaveLength(100);
    expect(consumer).toHaveLength(100);
    expect(new Set(consumer.map((s) => s.start.getTime())).size).toBe(100);
    expect(consumer.map((s) => s.spotPerKwh)).toEqual(records.map((_r, i) => (100 + i) / 1000));
  });

  it('keeps the 92 slots of the March DST day, each 15 minutes long', () => {
    // Prepare
    const records = edsRecords('2026-03-29', () => 500);
    const bounds = dayBoundsUtc('2026-03-29', DK);

    // Act
    const { slots } = parseDayAheadResponse(body(records), { area: 'DK1', ...bounds });

    // Assess
    expect(slots).toHaveLength(92);
    expect(slots.every((s) => s.end.getTime() - s.start.getTime() === QUARTER_MS)).toBe(true);
  });

  it('skips null prices, other areas and records outside the range, and tolerates unknown fields', () => {
    // Prepare
    const date = '2026-11-24';
    const bounds = dayBoundsUtc(date, DK);
    const records = [
      ...edsRecords(date, (_s, i) => (i === 5 ? null : 700)).map((r) => ({ ...r, Extra: 'new column' })),
      ...edsRecords(date, () => 9999, 'DK2'),
      ...edsRecords(addDays(date, 1), () => 9999),
    ];

    // Act
    const result = parseDayAheadResponse({ ...body(records), newTopLevel: true }, { area: 'DK1', ...bounds });

    // Assess
    expect(result.slots).toHaveLength(95);
    expect(result.skipped).toBe(1);
    expect(result.slots.every((s) => s.spotDkkPerMwh === 700)).toBe(true);
  });

  it('rejects a body whose price is not a number', () => {
    // Prepare
    const records = edsRecords('2026-11-24', () => 1).map((r) => ({ ...r, DayAheadPriceDKK: '1,0' }));

    // Act / Assess
    expect(() =>
      parseDayAheadResponse(body(records), { area: 'DK1', ...dayBoundsUtc('2026-11-24', DK) }),
    ).toThrow(/DayAheadPriceDKK/);
  });
});

describe('toConsumerSlots', () => {
  it('adds flat charges and VAT to the spot price per kWh', () => {
    // Prepare
    const tariff: Tariff = { ...NO_TARIFF, flatPerKwh: 0.5, vatPercent: 25 };

    // Act
    const [slot] = toConsumerSlots([slotAtLocal('12:00', 1000)], tariff, DK);

    // Assess
    expect(slot?.perKwh).toBeCloseTo((1 + 0.5) * 1.25, 10);
    expect(slot?.spotPerKwh).toBe(1);
  });

  it('passes negative spot prices through, VAT included', () => {
    // Prepare
    const tariff: Tariff = { ...NO_TARIFF, vatPercent: 25 };

    // Act
    const [slot] = toConsumerSlots([slotAtLocal('03:00', -200)], tariff, DK);

    // Assess
    expect(slot?.perKwh).toBeCloseTo(-0.25, 10);
  });

  it('matches zones on local wall time, including a zone that crosses midnight', () => {
    // Prepare
    const tariff: Tariff = {
      ...NO_TARIFF,
      zones: [
        { from: '17:00', to: '21:00', perKwh: 1 },
        { from: '21:00', to: '06:00', perKwh: 0.2 },
      ],
    };
    const expected: [string, number][] = [
      ['16:45', 0],
      ['17:00', 1],
      ['20:45', 1],
      ['21:00', 0.2],
      ['23:45', 0.2],
      ['00:00', 0.2],
      ['05:45', 0.2],
      ['06:00', 0],
      ['12:00', 0],
    ];

    // Act
    const actual = expected.map(([clock]) => [
      clock,
      toConsumerSlots([slotAtLocal(clock, 0)], tariff, DK)[0]?.perKwh,
    ]);

    // Assess
    expect(actual).toEqual(expected);
  });

  it('applies the first matching zone when zones overlap, and 24:00 as the end of the day', () => {
    // Prepare
    const tariff: Tariff = {
      ...NO_TARIFF,
      zones: [
        { from: '18:00', to: '24:00', perKwh: 3 },
        { from: '00:00', to: '00:00', perKwh: 0.5 },
      ],
    };

    // Act
    const slots = toConsumerSlots([slotAtLocal('10:00', 0), slotAtLocal('23:45', 0)], tariff, DK);

    // Assess
    expect(slots.map((s) => s.perKwh)).toEqual([0.5, 3]);
  });

  it('uses summer time for zones on a summer day', () => {
    // Prepare: 15:00 UTC is 17:00 in Copenhagen in June.
    const start = new Date('2026-06-10T15:00:00Z');
    const tariff: Tariff = { ...NO_TARIFF, zones: [{ from: '17:00', to: '21:00', perKwh: 1 }] };

    // Act
    const [slot] = toConsumerSlots(
      [{ start, end: new Date(start.getTime() + QUARTER_MS), spotDkkPerMwh: 0 }],
      tariff,
      DK,
    );

    // Assess
    expect(slot?.perKwh).toBe(1);
  });

  it('averages the four quarter-hours of an hour and drops an hour with a missing quarter', () => {
    // Prepare
    const tariff: Tariff = { ...NO_TARIFF, hourlyAverage: true };
    const full = ['10:00', '10:15', '10:30', '10:45'].map((c, i) => slotAtLocal(c, (i + 1) * 100));
    const partial = ['11:00', '11:15', '11:45'].map((c) => slotAtLocal(c, 1000));

    // Act
    const slots = toConsumerSlots([...partial, ...full], tariff, DK);

    // Assess
    expect(slots).toHaveLength(1);
    expect(slots[0]?.start.toISOString()).toBe('2026-11-24T09:00:00.000Z');
    expect(slots[0]?.end.toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(slots[0]?.spotPerKwh).toBeCloseTo(0.25, 10);
  });

  it('averages the October DST day into 25 hours', () => {
    // Prepare
    const bounds = dayBoundsUtc('2026-10-25', DK);
    const { slots: spot } = parseDayAheadResponse(body(edsRecords('2026-10-25', (_s, i) => i)), {
      area: 'DK1',
      ...bounds,
    });

    // Act
    const hours = toConsumerSlots(spot, { ...NO_TARIFF, hourlyAverage: true }, DK);

    // Assess
    expect(hours).toHaveLength(25);
    expect(hours[0]?.spotPerKwh).toBeCloseTo(1.5 / 1000, 12);
  });

  it('is monotone in the spot price (property)', () => {
    // Prepare
    const zone = fc.record({
      from: fc.constantFrom('00:00', '06:00', '17:00', '21:00'),
      to: fc.constantFrom('06:00', '17:00', '21:00', '24:00'),
      perKwh: fc.double({ min: -2, max: 5, noNaN: true }),
    });
    const tariffArb = fc.record({
      flatPerKwh: fc.double({ min: -2, max: 5, noNaN: true }),
      zones: fc.array(zone, { maxLength: 3 }),
      vatPercent: fc.double({ min: 0, max: 100, noNaN: true }),
      hourlyAverage: fc.boolean(),
    });
    const spotArb = fc.double({ min: -5000, max: 50_000, noNaN: true });

    // Act / Assess
    fc.assert(
      fc.property(tariffArb, spotArb, spotArb, fc.integer({ min: 0, max: 95 }), (tariff, a, b, q) => {
        const start = new Date(dayBoundsUtc('2026-11-24', DK).start.getTime() + q * QUARTER_MS);
        const low = Math.min(a, b);
        const high = Math.max(a, b);
        // A whole hour of equal slots, so hourly averaging also yields a slot.
        const hour = (spot: number): SpotSlot[] => {
          const h = Math.floor(start.getTime() / 3_600_000) * 3_600_000;
          return [0, 1, 2, 3].map((i) => ({
            start: new Date(h + i * QUARTER_MS),
            end: new Date(h + (i + 1) * QUARTER_MS),
            spotDkkPerMwh: spot,
          }));
        };
        const cheap = toConsumerSlots(hour(low), tariff, DK);
        const dear = toConsumerSlots(hour(high), tariff, DK);
        expect(cheap.length).toBe(dear.length);
        cheap.forEach((slot, i) => {
          expect(slot.perKwh).toBeLessThanOrEqual(dear[i]?.perKwh ?? Number.NaN);
        });
      }),
    );
  });

  it('is spot/1000 + flat with 0 % VAT and no zones (property)', () => {
    // Act / Assess
    fc.assert(
      fc.property(
        fc.double({ min: -5000, max: 50_000, noNaN: true }),
        fc.double({ min: -2, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 95 }),
        (spot, flat, q) => {
          const start = new Date(dayBoundsUtc('2026-11-24', DK).start.getTime() + q * QUARTER_MS);
          const [slot] = toConsumerSlots(
            [{ start, end: new Date(start.getTime() + QUARTER_MS), spotDkkPerMwh: spot }],
            { ...NO_TARIFF, flatPerKwh: flat },
            DK,
          );
          // Numerically equal; toBe would tell +0 from -0 (adding a zero zone turns -0 into +0).
          expect(slot?.perKwh).toBeCloseTo(spot / 1000 + flat, 9);
        },
      ),
    );
  });
});
