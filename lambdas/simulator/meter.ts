/**
 * When the charger sends meter values. AMPECO updates a session's energy, power, duration and
 * amounts only at these samples; a read shows the last one, and `startedAt + duration` is its time.
 */
export type MeterCadence =
  /** A sample every second: a read shows the state at the last whole second. */
  | 'continuous'
  /** One sample every `everyS` seconds at `startedAt + phaseS + k·everyS` (phase default 1 s). */
  | { everyS: number; phaseS?: number }
  /** One sample each time another `perKwh` kWh has been delivered (Easee: 1). */
  | { perKwh: number };

/** Real captures: one meter value a minute, one second after each whole minute from start. */
export const DEFAULT_METER: MeterCadence = { everyS: 60, phaseS: 1 };

/** What the meter needs to know about a session's true delivery. */
export interface MeteredFlow {
  readonly startedAtMs: number;
  /** True energy (Wh) at a time. */
  energy(atMs: number): number;
  /** Earliest time the true energy reached `wh` (only called for reached amounts). */
  timeOfEnergy(wh: number): number;
  /** The final meter value's time once the session finished, else null. */
  readonly finishedAtMs: number | null;
}

/**
 * Time of the last meter sample at or before `atMs` (never before `startedAtMs`). Samples fall on
 * whole seconds, as OCPP timestamps and AMPECO's `duration` do, so `startedAt + duration` is
 * exactly the sample's time (`startedAtMs` is a whole second).
 */
export function lastSampleMs(cadence: MeterCadence, flow: MeteredFlow, atMs: number): number {
  if (flow.finishedAtMs !== null && atMs >= flow.finishedAtMs) return flow.finishedAtMs;
  const second = Math.max(flow.startedAtMs, Math.floor(atMs / 1000) * 1000);
  if (cadence === 'continuous') return second;
  if ('everyS' in cadence) {
    const periodMs = cadence.everyS * 1000;
    const k = Math.floor((atMs - flow.startedAtMs - (cadence.phaseS ?? 1) * 1000) / periodMs);
    return k < 0 ? flow.startedAtMs : flow.startedAtMs + (cadence.phaseS ?? 1) * 1000 + k * periodMs;
  }
  const stepWh = cadence.perKwh * 1000;
  const steps = Math.floor(flow.energy(atMs) / stepWh + 1e-9);
  if (steps <= 0) return flow.startedAtMs;
  const stepAt = Math.ceil(flow.timeOfEnergy(steps * stepWh) / 1000) * 1000;
  return Math.min(second, Math.max(flow.startedAtMs, stepAt));
}

/** Parses `continuous`, `60` / `60s` (every N s) or `1kwh` (per-kWh steps). */
export function parseMeterCadence(raw: string): MeterCadence | null {
  if (raw === 'continuous') return 'continuous';
  const every = /^(\d+(?:\.\d+)?)s?$/.exec(raw);
  if (every?.[1] !== undefined && Number(every[1]) > 0) return { everyS: Number(every[1]), phaseS: 1 };
  const perKwh = /^(\d+(?:\.\d+)?)kwh$/i.exec(raw);
  if (perKwh?.[1] !== undefined && Number(perKwh[1]) > 0) return { perKwh: Number(perKwh[1]) };
  return null;
}

/** A deterministic factor in [1 − pct/100, 1 + pct/100] for sample time `atMs` (power noise). */
export function noiseFactor(pct: number, atMs: number): number {
  if (pct <= 0) return 1;
  // Integer hash of the sample time: the same sample always reads the same power.
  let x = Math.floor(atMs / 1000) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x ^= x >>> 16;
  const unit = ((x >>> 0) / 0xffffffff) * 2 - 1;
  return 1 + (unit * pct) / 100;
}
