/**
 * When the charger took the readings a session record shows. AMPECO updates `energy`, `power`
 * and `duration` only when the charger sends meter values, so `startedAt + duration` is the time
 * of the last meter sample, which can be a minute or more before the read.
 */

/** A sample older than this at the read is not extrapolated from (hourly cloud meters: poll). */
export const MAX_SAMPLE_AGE_MS = 5 * 60_000;
/** Clock skew tolerated between AMPECO and this process (a sample "after the read" by this much). */
const SKEW_MS = 2_000;

export type SampleTime =
  | { readonly kind: 'meter'; readonly at: Date }
  /** No `duration` or no start: the read time stands in (every reading treated as current). */
  | { readonly kind: 'read'; readonly at: Date }
  /** A `duration` that cannot be right: the read time stands in and nothing is extrapolated. */
  | { readonly kind: 'doubtful'; readonly at: Date; readonly why: string };

export function sampleTime(startedAt: Date | null, durationS: number | null, observedAt: Date): SampleTime {
  const read = observedAt.getTime();
  if (startedAt !== null && startedAt.getTime() > read + SKEW_MS)
    return doubtful(observedAt, 'the session starts after the read');
  if (startedAt === null || durationS === null) return { kind: 'read', at: observedAt };
  const start = startedAt.getTime();
  const at = start + durationS * 1000;
  if (!Number.isFinite(at) || Number.isNaN(read))
    return doubtful(observedAt, 'the sample time is not a date');
  if (durationS < 0 || at < start) return doubtful(observedAt, 'the duration is negative');
  if (at > read + SKEW_MS) return doubtful(observedAt, 'the meter sample is newer than the read');
  if (read - at > MAX_SAMPLE_AGE_MS) return doubtful(observedAt, 'the meter sample is stale');
  // A sample just taken is still the sample: treating it as taken at the read would hold the
  // estimate back by the read's age for as long as the next re-reads fall in that window.
  return { kind: 'meter', at: new Date(Math.min(at, read)) };
}

function doubtful(observedAt: Date, why: string): SampleTime {
  return { kind: 'doubtful', at: observedAt, why };
}
