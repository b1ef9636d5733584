import type { Snapshot } from './snapshot.ts';

/** At or below this power the car is treated as not charging: no prediction. */
export const MIN_PREDICTABLE_POWER_KW = 0.5;
/** Readings older than this are too stale to extrapolate from. */
export const MAX_PREDICTION_AGE_MS = 5 * 60_000;

/**
 * The instant the session will reach `targetKwh` at its current power, or null when unsure:
 * not charging, power missing or tiny, energy going backwards versus `previous`, or stale data.
 * Callers fall back to ordinary polling on null.
 */
export function predictEnergyReached(
  snapshot: Snapshot,
  targetKwh: number,
  now: Date,
  previous?: Snapshot | null,
): Date | null {
  if (snapshot.status !== 'active' || snapshot.chargingState !== 'charging') return null;
  if (now.getTime() - snapshot.observedAt.getTime() > MAX_PREDICTION_AGE_MS) return null;
  if (previous && previous.sessionId === snapshot.sessionId && previous.energyKwh > snapshot.energyKwh)
    return null;
  const power = snapshot.powerKw;
  if (power === null || !Number.isFinite(power) || power <= MIN_PREDICTABLE_POWER_KW) return null;
  const remaining = targetKwh - snapshot.energyKwh;
  if (!Number.isFinite(remaining)) return null;
  if (remaining <= 0) return snapshot.observedAt;
  const at = snapshot.observedAt.getTime() + (remaining / power) * 3_600_000;
  // Beyond the Date range (an absurd target) there is no instant to wake at.
  const predicted = new Date(at);
  return Number.isNaN(predicted.getTime()) ? null : predicted;
}

/** Energy expected at `at` if power stays constant (never less than what was observed). */
export function energyAt(snapshot: Snapshot, at: Date): number {
  const power = snapshot.powerKw ?? 0;
  const hours = Math.max(0, at.getTime() - snapshot.observedAt.getTime()) / 3_600_000;
  return snapshot.energyKwh + Math.max(0, power) * hours;
}
