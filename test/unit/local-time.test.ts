import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  instantOf,
  isValidTimeZone,
  nextOccurrence,
  parseClock,
  wallTime,
  zoneOffsetMs,
} from '../../lambdas/core/local-time.ts';

const DK = 'Europe/Copenhagen';
const HOUR_MS = 3_600_000;

describe('parseClock', () => {
  it.each([
    ['00:00', { hour: 0, minute: 0 }],
    ['07:05', { hour: 7, minute: 5 }],
    ['23:59', { hour: 23, minute: 59 }],
  ])('parses %s', (text, expected) => {
    // Act
    const clock = parseClock(text);

    // Assess
    expect(clock).toEqual(expected);
  });

  it.each(['24:00', '7:00', '12:60', '12:5', 'ab:cd', '', ' 07:00', '07:00:00'])('rejects "%s"', (text) => {
    // Act
    const clock = parseClock(text);

    // Assess
    expect(clock).toBeNull();
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Copenhagen', true],
    ['UTC', true],
    ['America/New_York', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('answers %s -> %s', (zone, expected) => {
    // Act
    const valid = isValidTimeZone(zone);

    // Assess
    expect(valid).toBe(expected);
  });
});

describe('wallTime and zoneOffsetMs', () => {
  it('reads Copenhagen winter time as UTC+1', () => {
    // Prepare
    const instant = new Date('2026-01-15T23:30:15Z');

    // Act
    const wall = wallTime(instant, DK);
    const offset = zoneOffsetMs(instant, DK);

    // Assess
    expect(wall).toEqual({ year: 2026, month: 1, day: 16, hour: 0, minute: 30, second: 15 });
    expect(offset).toBe(HOUR_MS);
  });

  it('reads Copenhagen summer time as UTC+2', () => {
    // Prepare
    const instant = new Date('2026-07-01T12:00:00Z');

    // Act
    const wall = wallTime(instant, DK);
    const offset = zoneOffsetMs(instant, DK);

    // Assess
    expect(wall.hour).toBe(14);
    expect(offset).toBe(2 * HOUR_MS);
  });
});

describe('instantOf', () => {
  it('maps an ordinary local time to its instant', () => {
    // Act
    const instant = instantOf({ year: 2026, month: 1, day: 15, hour: 7, minute: 0 }, DK);

    // Assess
    expect(instant.toISOString()).toBe('2026-01-15T06:00:00.000Z');
  });

  it('moves a time in the spring gap forward by the gap: 02:30 on 2026-03-29 is 03:30 CEST', () => {
    // Act
    const instant = instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, DK);

    // Assess
    expect(instant.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(wallTime(instant, DK)).toMatchObject({ hour: 3, minute: 30 });
  });

  it('picks the earlier instant in the autumn overlap: 02:30 CEST on 2026-10-25', () => {
    // Act
    const instant = instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, DK);

    // Assess
    expect(instant.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('nextOccurrence', () => {
  const at = (clock: string) => {
    const parsed = parseClock(clock);
    if (!parsed) throw new Error(`bad clock ${clock}`);
    return parsed;
  };

  it.each([
    {
      name: 'later the same day',
      from: '2026-01-15T05:00:00Z',
      clock: '07:00',
      want: '2026-01-15T06:00:00Z',
    },
    { name: 'exactly now', from: '2026-01-15T06:00:00Z', clock: '07:00', want: '2026-01-15T06:00:00Z' },
    {
      name: 'the next day once passed',
      from: '2026-01-15T06:00:01Z',
      clock: '07:00',
      want: '2026-01-16T06:00:00Z',
    },
    { name: 'across midnight', from: '2026-01-15T21:00:00Z', clock: '00:30', want: '2026-01-15T23:30:00Z' },
    {
      name: 'on the far side of the year end',
      from: '2026-12-31T22:00:00Z',
      clock: '06:00',
      want: '2027-01-01T05:00:00Z',
    },
    // 2026-03-29: 02:00 CET -> 03:00 CEST; 02:30 does not exist and becomes 03:30 CEST.
    { name: 'in the spring gap', from: '2026-03-29T00:00:00Z', clock: '02:30', want: '2026-03-29T01:30:00Z' },
    {
      name: 'after the spring gap',
      from: '2026-03-29T01:31:00Z',
      clock: '02:30',
      want: '2026-03-30T00:30:00Z',
    },
    {
      name: 'after the spring change',
      from: '2026-03-28T23:00:00Z',
      clock: '07:00',
      want: '2026-03-29T05:00:00Z',
    },
    // 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
    {
      name: 'before the autumn overlap',
      from: '2026-10-25T00:00:00Z',
      clock: '02:30',
      want: '2026-10-25T00:30:00Z',
    },
    {
      name: 'between the two passes of the overlap',
      from: '2026-10-25T00:45:00Z',
      clock: '02:30',
      want: '2026-10-25T01:30:00Z',
    },
    {
      name: 'after the autumn overlap',
      from: '2026-10-25T01:31:00Z',
      clock: '02:30',
      want: '2026-10-26T01:30:00Z',
    },
    {
      name: 'after the autumn change',
      from: '2026-10-24T20:00:00Z',
      clock: '07:00',
      want: '2026-10-25T06:00:00Z',
    },
  ])('finds the occurrence $name', ({ from, clock, want }) => {
    // Act
    const next = nextOccurrence(new Date(from), at(clock), DK);

    // Assess
    expect(next.toISOString()).toBe(new Date(want).toISOString());
  });

  it('is at or after from, within 25 h, and shows the clock on the wall (but in a gap)', () => {
    const zones = fc.constantFrom(DK, 'UTC', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        zones,
        (fromMs, hour, minute, zone) => {
          const next = nextOccurrence(new Date(fromMs), { hour, minute }, zone);
          expect(next.getTime()).toBeGreaterThanOrEqual(fromMs);
          expect(next.getTime() - fromMs).toBeLessThanOrEqual(25 * HOUR_MS);
          const wall = wallTime(next, zone);
          const shown = wall.hour * 60 + wall.minute;
          const asked = hour * 60 + minute;
          // Equal, or moved forward by a DST gap (at most one hour).
          expect(shown - asked === 0 || (shown > asked && shown - asked <= 60)).toBe(true);
        },
      ),
    );
  });

  it('has no earlier instant at or after from showing the clock (checked minute by minute)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          Date.parse('2026-10-24T22:00:00Z'),
          Date.parse('2026-10-25T00:10:00Z'),
          Date.parse('2026-10-25T00:50:00Z'),
          Date.parse('2026-03-28T23:00:00Z'),
        ),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 3 }).map((q) => q * 15),
        (fromMs, hour, minute) => {
          const next = nextOccurrence(new Date(fromMs), { hour, minute }, DK);
          const start = Math.ceil(fromMs / 60_000) * 60_000;
          for (let t = start; t < next.getTime(); t += 60_000) {
            const wall = wallTime(new Date(t), DK);
            expect(wall.hour === hour && wall.minute === minute).toBe(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
