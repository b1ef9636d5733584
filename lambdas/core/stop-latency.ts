import { MAX_ENERGY_LEAD_MS } from './decide.ts';
import { MIN_PREDICTABLE_POWER_KW } from './estimate.ts';
import type { Snapshot } from './snapshot.ts';

/**
 * How much a finished session delivered after stopwatt's `/end`: the charger keeps delivering
 * until it obeys, and its final meter value includes that. Learned per account, from sessions
 * stopwatt ended, so later stops aim earlier by it.
 */
export interface StopLatencySample {
  readonly sessionId: string;
  /** When the session finished (its final meter sample). */
  readonly at: Date;
  /** The energy estimated where `/end` landed (kWh). */
  readonly estimatedKwh: number;
  /** The charger's final meter value (kWh). */
  readonly finalKwh: number;
  /** The power the estimate used (kW): converts the energy into time. */
  readonly powerKw: number;
}

/** Sessions the learned latency is the median of. */
export const STOP_LATENCY_SAMPLES = 5;
/**
 * A sample outside this range (ms) measured something else (a charger that ignored the stop and
 * was stopped later, a car that stopped drawing): it is not learned from.
 */
const PLAUSIBLE_SAMPLE_MS = { min: -MAX_ENERGY_LEAD_MS, max: 2 * MAX_ENERGY_LEAD_MS } as const;

/** The time the charger kept delivering after `/end` (ms): energy after the estimate / power. */
export function sampleLatencyMs(sample: StopLatencySample): number {
  return ((sample.finalKwh - sample.estimatedKwh) / sample.powerKw) * 3_600_000;
}

/**
 * What the stop of a session ended at `atEnd` taught, once it is `finished`; null when the data
 * cannot carry it: no estimate at `/end` (the stop was judged on the raw reading), too little
 * power, a doubtful final reading, a final energy below the reading at `/end`, or an implausible
 * latency.
 */
export function stopLatencySample(
  atEnd: {
    readonly estimatedKwh?: number | undefined;
    readonly powerKw?: number | undefined;
    readonly energyKwh: number | null;
  },
  finished: Snapshot,
): StopLatencySample | null {
  const { estimatedKwh, powerKw, energyKwh } = atEnd;
  if (finished.status !== 'finished' || estimatedKwh === undefined || powerKw === undefined) return null;
  if ((finished.doubts?.length ?? 0) > 0 || finished.sampleDoubt) return null;
  if (!(powerKw > MIN_PREDICTABLE_POWER_KW) || !Number.isFinite(estimatedKwh)) return null;
  if (!Number.isFinite(finished.energyKwh) || finished.energyKwh < (energyKwh ?? 0)) return null;
  const sample: StopLatencySample = {
    sessionId: finished.sessionId,
    at: finished.sampledAt ?? finished.observedAt,
    estimatedKwh,
    finalKwh: finished.energyKwh,
    powerKw,
  };
  const ms = sampleLatencyMs(sample);
  return ms >= PLAUSIBLE_SAMPLE_MS.min && ms <= PLAUSIBLE_SAMPLE_MS.max ? sample : null;
}

/**
 * The stop latency to aim earlier by (ms): the median of the latest STOP_LATENCY_SAMPLES
 * plausible samples, within 0..MAX_ENERGY_LEAD_MS (never later than without it, never more than
 * 30 s early); 0 when nothing was learned. Newest first, as the log lists them.
 */
export function learnedStopLatencyMs(samples: readonly StopLatencySample[]): number {
  const latencies = samples
    .map(sampleLatencyMs)
    .filter((ms) => ms >= PLAUSIBLE_SAMPLE_MS.min && ms <= PLAUSIBLE_SAMPLE_MS.max)
    .slice(0, STOP_LATENCY_SAMPLES)
    .sort((a, b) => a - b);
  if (latencies.length === 0) return 0;
  const mid = Math.floor(latencies.length / 2);
  const median =
    latencies.length % 2 === 1
      ? (latencies[mid] ?? 0)
      : ((latencies[mid - 1] ?? 0) + (latencies[mid] ?? 0)) / 2;
  return Math.min(MAX_ENERGY_LEAD_MS, Math.max(0, median));
}
