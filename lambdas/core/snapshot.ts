import { parsePeriodState } from './period-state.ts';
import { impossibleReadings } from './plausibility.ts';
import { sampleTime } from './sample-time.ts';
import type { Session } from './session.ts';
import { type SessionPriceFormula, sessionUnitPrice } from './session-price.ts';

/** One observation of a session, in the units the rules use. */
export interface Snapshot {
  readonly sessionId: string;
  readonly status: string;
  readonly chargingState: string | null;
  /** When stopwatt read the session. */
  readonly observedAt: Date;
  readonly startedAt: Date | null;
  /**
   * When the charger took the readings (`startedAt + duration`), when that is known and plausible;
   * absent means at the read.
   */
  readonly sampledAt?: Date | undefined;
  /** Why the sample time is not believed (then nothing is extrapolated); absent when it is. */
  readonly sampleDoubt?: string | undefined;
  /** Readings outside physical bounds: such a snapshot ends nothing. Absent or empty when none. */
  readonly doubts?: readonly string[] | undefined;
  /** The session's meter cadence learned from successive distinct samples (ms), when known. */
  readonly meterIntervalMs?: number | undefined;
  readonly energyKwh: number;
  /** null when the API did not report power. */
  readonly powerKw: number | null;
  /** Session cost so far in `currency` (AMPECO `totalAmount`); null when unknown. */
  readonly cost: number | null;
  readonly currency: string | null;
  /** Unit price from `lastPeriod.state` via the formula; null when absent or unparseable. */
  readonly sessionPricePerKwh: number | null;
}

export function toSnapshot(session: Session, observedAt: Date, formula: SessionPriceFormula): Snapshot {
  const state = session.lastPeriod ? parsePeriodState(session.lastPeriod.state) : null;
  const unit = state ? sessionUnitPrice(state, formula) : null;
  const sample = sampleTime(session.startedAt, session.durationS ?? null, observedAt);
  const energyKwh = session.energyWh / 1000;
  const powerKw = session.powerW === null ? null : session.powerW / 1000;
  const sinceStart = session.startedAt ? (observedAt.getTime() - session.startedAt.getTime()) / 1000 : null;
  const doubts = impossibleReadings({
    energyKwh,
    powerKw,
    cost: session.amount,
    elapsedS: sample.kind === 'meter' ? (session.durationS ?? null) : sinceStart,
  });
  return {
    sessionId: session.id,
    status: session.status,
    chargingState: session.chargingState,
    observedAt,
    startedAt: session.startedAt,
    ...(sample.kind === 'meter' ? { sampledAt: sample.at } : {}),
    ...(sample.kind === 'doubtful' ? { sampleDoubt: sample.why } : {}),
    ...(doubts.length > 0 ? { doubts } : {}),
    energyKwh,
    powerKw,
    cost: session.amount,
    currency: session.currency,
    sessionPricePerKwh: unit !== null && Number.isFinite(unit) ? unit : null,
  };
}

/**
 * The snapshot with its meter cadence learned from the previous observation of the session:
 * the gap between two distinct samples, never more than the cadence learned before (a missed
 * sample doubles the gap).
 */
export function withCadence(snapshot: Snapshot, previous: Snapshot | null | undefined): Snapshot {
  if (!previous || previous.sessionId !== snapshot.sessionId) return snapshot;
  const known = previous.meterIntervalMs;
  const gap =
    snapshot.sampledAt && previous.sampledAt
      ? snapshot.sampledAt.getTime() - previous.sampledAt.getTime()
      : 0;
  const learned = gap >= 1_000 ? Math.min(gap, known ?? gap) : known;
  return learned === undefined ? snapshot : { ...snapshot, meterIntervalMs: learned };
}
