import { extrapolationDoubt, sampleOf } from './estimate.ts';
import type { Snapshot } from './snapshot.ts';

export { MAX_PREDICTION_AGE_MS, MIN_PREDICTABLE_POWER_KW } from './estimate.ts';

/**
 * The instant the session will reach `targetKwh` at its current power, counted from the meter
 * sample (`sampledAt`, else the read), or null when unsure: not charging, power missing or tiny,
 * energy going backwards versus `previous`, a doubtful sample time or reading, or stale data.
 * Callers fall back to ordinary polling on null.
 */
export function predictEnergyReached(
  snapshot: Snapshot,
  targetKwh: number,
  now: Date,
  previous?: Snapshot | null,
): Date | null {
  if (extrapolationDoubt(snapshot, now, previous) !== null) return null;
  const power = snapshot.powerKw ?? 0;
  const remaining = targetKwh - snapshot.energyKwh;
  if (!Number.isFinite(remaining)) return null;
  const from = sampleOf(snapshot);
  if (remaining <= 0) return from;
  // Beyond the Date range (an absurd target) there is no instant to wake at.
  const predicted = new Date(from.getTime() + (remaining / power) * 3_600_000);
  return Number.isNaN(predicted.getTime()) ? null : predicted;
}

/** Energy expected at `at` if power stays constant (never less than what was observed). */
export function energyAt(snapshot: Snapshot, at: Date): number {
  const power = snapshot.powerKw ?? 0;
  const hours = Math.max(0, at.getTime() - sampleOf(snapshot).getTime()) / 3_600_000;
  return snapshot.energyKwh + Math.max(0, power) * hours;
}
