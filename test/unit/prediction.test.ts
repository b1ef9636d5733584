import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  energyAt,
  MAX_PREDICTION_AGE_MS,
  MIN_PREDICTABLE_POWER_KW,
  predictEnergyReached,
} from '../../lambdas/core/prediction.ts';
import type { Snapshot } from '../../lambdas/core/snapshot.ts';
import { SNAPSHOT_NOW, snapshot } from '../support/snapshots.ts';

const NOW = SNAPSHOT_NOW;
const HOUR_MS = 3_600_000;

describe('predictEnergyReached', () => {
  it('extrapolates at the current power: 2 kWh at 8 kW is 15 minutes', () => {
    // Prepare
    const s = snapshot({ energyKwh: 10, powerKw: 8 });

    // Act
    const at = predictEnergyReached(s, 12, NOW);

    // Assess
    expect(at?.toISOString()).toBe('2026-01-15T12:15:00.000Z');
  });

  it('predicts from the observation time, not from now', () => {
    // Prepare
    const s = snapshot({ observedAt: new Date(NOW.getTime() - 60_000), energyKwh: 10, powerKw: 6 });

    // Act
    const at = predictEnergyReached(s, 11, NOW);

    // Assess
    expect(at?.toISOString()).toBe('2026-01-15T12:09:00.000Z');
  });

  it('answers the observation time when the target is already reached', () => {
    // Prepare
    const s = snapshot({ energyKwh: 12 });

    // Act
    const at = predictEnergyReached(s, 11, NOW);

    // Assess
    expect(at).toEqual(NOW);
  });

  it.each([
    { name: 'power exactly 0.5 kW', overrides: { powerKw: MIN_PREDICTABLE_POWER_KW } },
    { name: 'power 0.1 kW', overrides: { powerKw: 0.1 } },
    { name: 'power 0', overrides: { powerKw: 0 } },
    { name: 'negative power', overrides: { powerKw: -3 } },
    { name: 'power unknown', overrides: { powerKw: null } },
    { name: 'power NaN', overrides: { powerKw: Number.NaN } },
    { name: 'the car full (suspendedEV)', overrides: { chargingState: 'suspendedEV' } },
    { name: 'the charger pausing (suspendedEVSE)', overrides: { chargingState: 'suspendedEVSE' } },
    { name: 'a stopping session', overrides: { status: 'stopping' } },
    { name: 'a starting session', overrides: { status: 'starting' } },
    {
      name: 'a stale reading',
      overrides: { observedAt: new Date(NOW.getTime() - MAX_PREDICTION_AGE_MS - 1) },
    },
  ] satisfies { name: string; overrides: Partial<Snapshot> }[])(
    'gives no prediction for $name',
    ({ overrides }) => {
      // Prepare
      const s = snapshot(overrides);

      // Act
      const at = predictEnergyReached(s, 20, NOW);

      // Assess
      expect(at).toBeNull();
    },
  );

  it('predicts just above the minimum power', () => {
    // Prepare
    const s = snapshot({ powerKw: 0.51 });

    // Act
    const at = predictEnergyReached(s, 20, NOW);

    // Assess
    expect(at).not.toBeNull();
  });

  it('gives no prediction when energy went backwards since the previous reading', () => {
    // Prepare
    const previous = snapshot({ energyKwh: 10.2, observedAt: new Date(NOW.getTime() - 60_000) });

    // Act
    const at = predictEnergyReached(snapshot(), 20, NOW, previous);

    // Assess
    expect(at).toBeNull();
  });

  it('ignores a previous reading of another session', () => {
    // Prepare
    const previous = snapshot({ sessionId: 'other', energyKwh: 99 });

    // Act
    const at = predictEnergyReached(snapshot(), 20, NOW, previous);

    // Assess
    expect(at).not.toBeNull();
  });

  it('gives no prediction for a target too far away to be a date', () => {
    // Prepare
    const s = snapshot({ powerKw: 0.6 });

    // Act
    const at = predictEnergyReached(s, 1e15, NOW);

    // Assess
    expect(at).toBeNull();
  });
});

describe('energyAt', () => {
  it('adds power times elapsed time to the observed energy', () => {
    // Act
    const kwh = energyAt(snapshot({ energyKwh: 10, powerKw: 12 }), new Date(NOW.getTime() + HOUR_MS / 4));

    // Assess
    expect(kwh).toBeCloseTo(13, 10);
  });

  it('never goes below the observed energy (earlier instant, unknown or negative power)', () => {
    // Act
    const earlier = energyAt(snapshot(), new Date(NOW.getTime() - HOUR_MS));
    const unknown = energyAt(snapshot({ powerKw: null }), new Date(NOW.getTime() + HOUR_MS));
    const negative = energyAt(snapshot({ powerKw: -5 }), new Date(NOW.getTime() + HOUR_MS));

    // Assess
    expect([earlier, unknown, negative]).toEqual([10, 10, 10]);
  });
});

const snapshotArb = fc
  .record({
    ageMs: fc.integer({ min: 0, max: 2 * MAX_PREDICTION_AGE_MS }),
    status: fc.constantFrom('active', 'active', 'starting', 'stopping', 'finished'),
    chargingState: fc.constantFrom('charging', 'charging', 'suspendedEV', 'suspendedEVSE', null),
    energyKwh: fc.double({ min: 0, max: 1e6, noNaN: true }),
    powerKw: fc.option(fc.double({ noNaN: false }), { nil: null }),
  })
  .map((r) =>
    snapshot({
      observedAt: new Date(NOW.getTime() - r.ageMs),
      status: r.status,
      chargingState: r.chargingState,
      energyKwh: r.energyKwh,
      powerKw: r.powerKw,
    }),
  );

describe('predictEnergyReached: properties', () => {
  it('never predicts an invalid date or one before the observation', () => {
    fc.assert(
      fc.property(snapshotArb, fc.double(), (s, target) => {
        const at = predictEnergyReached(s, target, NOW);
        if (at === null) return;
        expect(Number.isNaN(at.getTime())).toBe(false);
        expect(at.getTime()).toBeGreaterThanOrEqual(s.observedAt.getTime());
      }),
    );
  });

  it('gives null for power at or below 0.5 kW', () => {
    fc.assert(
      fc.property(snapshotArb, fc.double({ max: MIN_PREDICTABLE_POWER_KW }), fc.double(), (s, p, target) => {
        expect(predictEnergyReached({ ...s, powerKw: p }, target, NOW)).toBeNull();
      }),
    );
  });

  it('gives null for a car that is full (suspendedEV)', () => {
    fc.assert(
      fc.property(snapshotArb, fc.double(), (s, target) => {
        expect(predictEnergyReached({ ...s, chargingState: 'suspendedEV' }, target, NOW)).toBeNull();
      }),
    );
  });

  it('gives null when energy went backwards', () => {
    fc.assert(
      fc.property(snapshotArb, fc.double({ min: 1e-9, max: 100, noNaN: true }), fc.double(), (s, drop, t) => {
        const previous = { ...s, energyKwh: s.energyKwh + drop };
        expect(predictEnergyReached(s, t, NOW, previous)).toBeNull();
      }),
    );
  });

  it('gives null for a stale reading', () => {
    fc.assert(
      fc.property(snapshotArb, fc.integer({ min: 1, max: 1e9 }), fc.double(), (s, extra, target) => {
        const now = new Date(s.observedAt.getTime() + MAX_PREDICTION_AGE_MS + extra);
        expect(predictEnergyReached(s, target, now)).toBeNull();
      }),
    );
  });

  it('predicts the instant at which energyAt reaches the target', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0.6, max: 350, noNaN: true }),
        fc.double({ min: 0.001, max: 100, noNaN: true }),
        (energyKwh, powerKw, toGo) => {
          const s = snapshot({ energyKwh, powerKw });
          const at = predictEnergyReached(s, energyKwh + toGo, NOW);
          expect(at).not.toBeNull();
          if (at === null) return;
          // Date truncates to whole milliseconds: within 1 ms of energy at the target.
          expect(energyAt(s, at)).toBeLessThanOrEqual(energyKwh + toGo + 1e-9);
          expect(energyAt(s, new Date(at.getTime() + 1))).toBeGreaterThanOrEqual(energyKwh + toGo - 1e-9);
        },
      ),
    );
  });
});
