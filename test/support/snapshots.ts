import type { Snapshot } from '../../lambdas/core/snapshot.ts';

/** The observation time of `snapshot()` unless overridden. */
export const SNAPSHOT_NOW = new Date('2026-01-15T12:00:00Z');

/** An active session charging at 11 kW with 10 kWh delivered, observed at SNAPSHOT_NOW. */
export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    sessionId: 's1',
    status: 'active',
    chargingState: 'charging',
    observedAt: SNAPSHOT_NOW,
    startedAt: new Date(SNAPSHOT_NOW.getTime() - 3_600_000),
    energyKwh: 10,
    powerKw: 11,
    cost: 20,
    currency: 'DKK',
    sessionPricePerKwh: 1.5,
    ...overrides,
  };
}
