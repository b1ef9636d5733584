import { estimateEnergy } from '../core/estimate.ts';
import type { Snapshot } from '../core/snapshot.ts';
import { learnedStopLatencyMs, STOP_LATENCY_SAMPLES, stopLatencySample } from '../core/stop-latency.ts';
import type { StopResult } from '../ports.ts';
import type { CheckDeps } from './check-deps.ts';
import { track } from './notify.ts';

/** The account's learned stop latency (ms) for this tick; 0 when none is learned or the log fails. */
export async function readStopLatency(deps: CheckDeps): Promise<number> {
  const samples = await track(deps, 'session log (stop latency)', () =>
    deps.log.recentStopLatencies(STOP_LATENCY_SAMPLES),
  );
  return learnedStopLatencyMs(samples ?? []);
}

/**
 * What a stop landed on, for the result: the energy estimated where `/end` reached the API and
 * the power extrapolated, when the reading carries an estimate; and the latency aimed earlier by.
 */
export function landedOn(
  snapshot: Snapshot,
  at: Date,
  stopLatencyMs: number,
): Pick<StopResult, 'estimatedKwh' | 'powerKw' | 'stopLatencyMs'> {
  const estimate = estimateEnergy(snapshot, at);
  const aimed = stopLatencyMs > 0 ? { stopLatencyMs } : {};
  if (estimate.basis !== 'estimate' || snapshot.powerKw === null) return aimed;
  return { ...aimed, estimatedKwh: estimate.kwh, powerKw: snapshot.powerKw };
}

/**
 * Learns from a session stopwatt ended once it is `finished`: its final meter value against the
 * estimate where the first `/end` landed. A re-sent stop, a stop on the raw reading and doubtful
 * final data teach nothing. Bookkeeping: a failure only warns.
 */
export async function learnStopLatency(deps: CheckDeps, finished: Snapshot): Promise<void> {
  await track(deps, 'session log (stop latency)', async () => {
    const result = await deps.log.latestStopResult(finished.sessionId);
    if (result?.outcome !== 'accepted' || result.attempt !== 1) return;
    const sample = stopLatencySample(result, finished);
    if (sample) await deps.log.recordStopLatency(sample);
  });
}
