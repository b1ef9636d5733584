import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../lambdas/config.ts';
import { decide, MAX_ENERGY_LEAD_MS } from '../../lambdas/core/decide.ts';
import { estimateEnergy } from '../../lambdas/core/estimate.ts';
import { MAX_SAMPLE_AGE_MS, sampleTime } from '../../lambdas/core/sample-time.ts';
import type { Session } from '../../lambdas/core/session.ts';
import { DEFAULT_SESSION_PRICE_FORMULA } from '../../lambdas/core/session-price.ts';
import { toSnapshot, withCadence } from '../../lambdas/core/snapshot.ts';
import { snapshot } from '../support/snapshots.ts';

const READ = new Date('2026-01-15T12:00:00Z');
const START = new Date('2026-01-15T11:00:00Z');

function session(overrides: Partial<Session> = {}): Session {
  return {
    id: 's1',
    status: 'active',
    chargingState: 'charging',
    startedAt: START,
    stoppedAt: null,
    durationS: 3570,
    energyWh: 20_000,
    powerW: 22_000,
    amount: 40,
    currency: 'DKK',
    lastPeriod: null,
    evseId: '1',
    ...overrides,
  };
}

describe('sampleTime', () => {
  it('is startedAt + duration when that is before the read', () => {
    // Act
    const sample = sampleTime(START, 3570, READ);

    // Assess
    expect(sample).toEqual({ kind: 'meter', at: new Date('2026-01-15T11:59:30Z') });
  });

  it('keeps a sample taken a moment before the read as the sample, so re-reads extrapolate from it', () => {
    // Act
    const justBefore = sampleTime(START, 3599, new Date(READ.getTime() - 200));
    const skewed = sampleTime(START, 3601, READ);

    // Assess
    expect(justBefore).toEqual({ kind: 'meter', at: new Date('2026-01-15T11:59:59Z') });
    expect(skewed).toEqual({ kind: 'meter', at: READ });
  });

  it('falls back to the read time when duration is missing (the estimate then works as before)', () => {
    // Act
    const sample = sampleTime(START, null, READ);

    // Assess
    expect(sample).toEqual({ kind: 'read', at: READ });
  });

  it.each([
    { name: 'a negative duration', start: START, duration: -5, why: 'the duration is negative' },
    { name: 'a sample newer than the read', start: START, duration: 3700, why: 'newer than the read' },
    {
      name: 'a start in the future',
      start: new Date('2026-01-15T13:00:00Z'),
      duration: 1,
      why: 'starts after',
    },
    { name: 'a stale sample', start: START, duration: 3600 - MAX_SAMPLE_AGE_MS / 1000 - 1, why: 'stale' },
  ])('is doubtful for $name', ({ start, duration, why }) => {
    // Act
    const sample = sampleTime(start, duration, READ);

    // Assess
    expect(sample.kind).toBe('doubtful');
    expect(sample.kind === 'doubtful' && sample.why).toContain(why);
    expect(sample.at).toEqual(READ);
  });
});

describe('estimateEnergy', () => {
  it('adds power x time since the meter sample', () => {
    // Prepare: 22 kW for 30 s after the sample is 0.1833 kWh.
    const s = toSnapshot(session(), READ, DEFAULT_SESSION_PRICE_FORMULA);

    // Act
    const estimate = estimateEnergy(s, READ);

    // Assess
    expect(estimate.basis).toBe('estimate');
    expect(estimate.kwh).toBeCloseTo(20 + (22 * 30) / 3600, 9);
  });

  it.each([
    { name: 'not charging', over: { chargingState: 'suspendedEV' } },
    { name: 'power missing', over: { powerW: null } },
    { name: 'power tiny', over: { powerW: 400 } },
    { name: 'an inconsistent duration', over: { durationS: 99_999 } },
    { name: 'an impossible energy', over: { energyWh: 1e12 } },
  ])('keeps the raw reading when $name', ({ over }) => {
    // Prepare
    const s = toSnapshot(session(over as Partial<Session>), READ, DEFAULT_SESSION_PRICE_FORMULA);

    // Act
    const estimate = estimateEnergy(s, new Date(READ.getTime() + 20_000));

    // Assess
    expect(estimate).toMatchObject({ basis: 'reading', kwh: s.energyKwh });
  });
});

describe('withCadence', () => {
  it('learns the gap between two distinct meter samples and keeps the smallest', () => {
    // Prepare
    const at = (iso: string) => snapshot({ sampledAt: new Date(iso) });
    const first = at('2026-01-15T11:58:01Z');
    const second = withCadence(at('2026-01-15T11:59:01Z'), first);

    // Act: the next tick missed a sample (120 s gap), then one tick saw the same sample again.
    const third = withCadence(at('2026-01-15T12:01:01Z'), second);
    const same = withCadence(at('2026-01-15T12:01:01Z'), third);

    // Assess
    expect(second.meterIntervalMs).toBe(60_000);
    expect(third.meterIntervalMs).toBe(60_000);
    expect(same.meterIntervalMs).toBe(60_000);
  });
});

describe('no stop on an estimate built from doubtful data', () => {
  const instant = fc.integer({ min: READ.getTime() - 4 * 3_600_000, max: READ.getTime() + 3_600_000 });
  /** Half the time a duration that puts the sample up to 6 min before the read (mostly plausible). */
  const hostileSession = fc
    .tuple(hostileRecord(), fc.boolean(), fc.integer({ min: -30, max: 360 }))
    .map(([over, consistent, ageS]) =>
      consistent && over.startedAt
        ? { ...over, durationS: (READ.getTime() - over.startedAt.getTime()) / 1000 - ageS }
        : over,
    );
  function hostileRecord() {
    return fc.record({
      startedAt: fc.option(
        instant.map((t) => new Date(t)),
        { nil: null },
      ),
      durationS: fc.option(
        fc.oneof(fc.integer({ min: -100, max: 20_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
        { nil: null },
      ),
      energyWh: fc.oneof(fc.integer({ min: 0, max: 80_000 }), fc.constantFrom(1e12, 5e6)),
      powerW: fc.option(fc.oneof(fc.integer({ min: -5_000, max: 30_000 }), fc.constantFrom(1e9)), {
        nil: null,
      }),
      chargingState: fc.constantFrom('charging', 'suspendedEV', null),
    });
  }

  /** A learned stop latency as the log could hold it, hostile values included. */
  const stopLatency = fc.oneof(
    fc.integer({ min: -60_000, max: 120_000 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  );
  const clamp = (ms: number) => (Number.isFinite(ms) ? Math.min(MAX_ENERGY_LEAD_MS, Math.max(0, ms)) : 0);

  it('ends for energy below the raw reading only on a plausible sample, charging at plausible power', () => {
    let estimatedEnds = 0;
    const heldOnDoubtfulSamples = new Set<string>();
    fc.assert(
      fc.property(
        hostileSession,
        fc.double({ min: 0.1, max: 80, noNaN: true }),
        fc.integer({ min: 0, max: 30_000 }),
        stopLatency,
        (over, targetKwh, energyLeadMs, stopLatencyMs) => {
          // Prepare
          const s = toSnapshot(session(over), READ, DEFAULT_SESSION_PRICE_FORMULA);
          const rules = parseRules({ energyKwh: targetKwh });

          // Act
          const decision = decide({
            snapshot: s,
            rules,
            now: READ,
            price: null,
            energyLeadMs,
            stopLatencyMs,
          });

          // Assess: an end the raw reading does not justify rests on trustworthy data only.
          const leadMs = clamp(clamp(energyLeadMs) + clamp(stopLatencyMs));
          const aimedKwh = over.energyWh / 1000 + ((over.powerW ?? 0) / 1000) * (leadMs / 3_600_000);
          // Doubtful samples that the lead alone would have pushed over the target: held.
          if (s.sampleDoubt && aimedKwh >= targetKwh && s.energyKwh < targetKwh - 0.001) {
            expect(decision.action).not.toBe('end');
            heldOnDoubtfulSamples.add(s.sampleDoubt);
          }
          if (decision.action !== 'end' || s.energyKwh >= targetKwh - 0.001) return;
          estimatedEnds += 1;
          const { startedAt, durationS, powerW, energyWh } = over;
          expect(over.chargingState).toBe('charging');
          // Without a start or a duration the read time stands in for the sample (as before).
          if (startedAt !== null) expect(startedAt.getTime()).toBeLessThanOrEqual(READ.getTime() + 2_000);
          const known = startedAt !== null && durationS !== null;
          const sampledAt = known ? startedAt.getTime() + durationS * 1000 : READ.getTime();
          if (known) {
            expect(durationS).toBeGreaterThanOrEqual(0);
            expect(startedAt.getTime()).toBeLessThanOrEqual(READ.getTime() + 2_000);
            expect(sampledAt).toBeLessThanOrEqual(READ.getTime() + 2_000);
            expect(READ.getTime() - sampledAt).toBeLessThanOrEqual(MAX_SAMPLE_AGE_MS);
            expect(energyWh / 1000).toBeLessThanOrEqual((400 * durationS) / 3600 + 0.5);
          }
          expect(powerW ?? 0).toBeGreaterThan(500);
          expect(powerW ?? 0).toBeLessThanOrEqual(400_000);
          expect(energyWh / 1000).toBeLessThanOrEqual(2_000);
          // Never more than 30 s early, whatever the round trip and the learned latency say.
          const hours = (READ.getTime() + leadMs - Math.min(sampledAt, READ.getTime())) / 3_600_000;
          expect(energyWh / 1000 + ((powerW ?? 0) / 1000) * hours).toBeGreaterThanOrEqual(targetKwh - 0.001);
        },
      ),
      // A fixed seed: plausible estimated ends are rare among hostile sessions, and with a random seed
      // about one run in ten drew none, which made the exercised-check below flaky.
      { numRuns: 3_000, seed: 20_261_202 },
    );
    // Some ends did rest on an estimate, and each kind of hostile sample time was held, so the
    // property was exercised.
    expect(estimatedEnds).toBeGreaterThan(0);
    expect([...heldOnDoubtfulSamples].sort()).toStrictEqual([
      'the duration is negative',
      'the meter sample is newer than the read',
      'the meter sample is stale',
      'the session starts after the read',
    ]);
  });
});
