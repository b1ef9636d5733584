import type { Snapshot } from './snapshot.ts';

/** At or below this power the car is treated as not charging: no extrapolation. */
export const MIN_PREDICTABLE_POWER_KW = 0.5;
/** Readings older than this are too stale to extrapolate from. */
export const MAX_PREDICTION_AGE_MS = 5 * 60_000;

/**
 * The energy the rules judge at an instant: the meter sample extrapolated at the reported power
 * (`basis: 'estimate'`), or the raw reading (`'reading'`) when extrapolating would rest on
 * doubtful data. The raw reading is never more than was delivered (energy only grows), so a stop
 * on it is always safe; an estimate is made only from data that can carry it.
 */
export interface EnergyEstimate {
  readonly kwh: number;
  readonly basis: 'estimate' | 'reading';
  /** The instant the estimate starts from: the meter sample, or the read. */
  readonly from: Date;
}

/** Why `snapshot` cannot be extrapolated from, or null when it can. */
export function extrapolationDoubt(snapshot: Snapshot, now: Date, previous?: Snapshot | null): string | null {
  if (snapshot.status !== 'active' || snapshot.chargingState !== 'charging') return 'not charging';
  if ((snapshot.doubts?.length ?? 0) > 0) return 'impossible readings';
  if (snapshot.sampleDoubt) return snapshot.sampleDoubt;
  const power = snapshot.powerKw;
  if (power === null || !Number.isFinite(power) || power <= MIN_PREDICTABLE_POWER_KW) return 'power too low';
  if (!Number.isFinite(snapshot.energyKwh) || snapshot.energyKwh < 0) return 'energy invalid';
  if (previous && previous.sessionId === snapshot.sessionId && previous.energyKwh > snapshot.energyKwh)
    return 'energy went backwards';
  if (!(now.getTime() - sampleOf(snapshot).getTime() <= MAX_PREDICTION_AGE_MS)) return 'stale sample';
  return null;
}

/** When the readings were taken: the meter sample when known, else the read. */
export function sampleOf(snapshot: Snapshot): Date {
  return snapshot.sampledAt ?? snapshot.observedAt;
}

/** The energy delivered at `at`: energy at the sample + power x (at - sample), or the reading. */
export function estimateEnergy(snapshot: Snapshot, at: Date, previous?: Snapshot | null): EnergyEstimate {
  const from = sampleOf(snapshot);
  if (extrapolationDoubt(snapshot, at, previous) !== null)
    return { kwh: snapshot.energyKwh, basis: 'reading', from };
  const hours = Math.max(0, at.getTime() - from.getTime()) / 3_600_000;
  return { kwh: snapshot.energyKwh + (snapshot.powerKw ?? 0) * hours, basis: 'estimate', from };
}

/**
 * When the charger's next meter sample is due after `now`, from the session's learned cadence
 * (`meterIntervalMs`) and its last sample; null when either is unknown or the data is doubtful.
 */
export function nextSampleAt(snapshot: Snapshot, now: Date): Date | null {
  const interval = snapshot.meterIntervalMs;
  const sampled = snapshot.sampledAt?.getTime();
  if (interval === undefined || sampled === undefined || !(interval >= 1_000)) return null;
  if (extrapolationDoubt(snapshot, now) !== null) return null;
  const periods = Math.floor((now.getTime() - sampled) / interval) + 1;
  return new Date(sampled + Math.max(1, periods) * interval);
}
