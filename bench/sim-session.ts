import type { Session } from '../lambdas/core/session.ts';
import type { Rng } from './rng.ts';

export interface PowerProfileOptions {
  readonly powerKw: number;
  /** Relative standard deviation of each segment's power (e.g. 0.02 = 2 %). */
  readonly noise: number;
  /** Power is constant within a segment; energy is its exact integral. */
  readonly segmentMs: number;
  readonly rng: Rng;
}

/** Piecewise-constant charging power with seeded noise, generated lazily and immutable once read. */
export class PowerProfile {
  readonly #options: PowerProfileOptions;
  readonly #powersW: number[] = [];
  /** Energy (Wh) at the start of each segment; one entry more than `#powersW`. */
  readonly #cumWh: number[] = [0];

  constructor(options: PowerProfileOptions) {
    this.#options = options;
  }

  #extendTo(segment: number): void {
    const { powerKw, noise, segmentMs, rng } = this.#options;
    while (this.#powersW.length <= segment) {
      const w = Math.max(0, powerKw * 1000 * (1 + noise * rng.gaussian()));
      const start = this.#cumWh[this.#cumWh.length - 1] ?? 0;
      this.#powersW.push(w);
      this.#cumWh.push(start + (w * segmentMs) / 3_600_000);
    }
  }

  /** Power (W) `offsetMs` after the session started. */
  powerWAt(offsetMs: number): number {
    const segment = Math.floor(Math.max(0, offsetMs) / this.#options.segmentMs);
    this.#extendTo(segment);
    return this.#powersW[segment] ?? 0;
  }

  /** Exact energy (Wh) delivered `offsetMs` after the session started. */
  energyWhAt(offsetMs: number): number {
    if (offsetMs <= 0) return 0;
    const { segmentMs } = this.#options;
    const segment = Math.floor(offsetMs / segmentMs);
    this.#extendTo(segment);
    const base = this.#cumWh[segment] ?? 0;
    const power = this.#powersW[segment] ?? 0;
    return base + (power * (offsetMs - segment * segmentMs)) / 3_600_000;
  }

  /** The exact offset (ms after start) at which `targetWh` is delivered. */
  reachOffsetMs(targetWh: number): number {
    const { segmentMs } = this.#options;
    let segment = 0;
    for (;;) {
      this.#extendTo(segment);
      const end = this.#cumWh[segment + 1] ?? 0;
      if (end >= targetWh) break;
      segment++;
    }
    const base = this.#cumWh[segment] ?? 0;
    const power = this.#powersW[segment] ?? 0;
    return segment * segmentMs + (power > 0 ? ((targetWh - base) * 3_600_000) / power : 0);
  }
}

/**
 * One simulated charging session as the operator's back end sees it: charging from `startMs`,
 * the meter frozen at the instant `/end` is received, `stopping` for `stopDelayMs`, then `finished`.
 */
export class SimSession {
  readonly id: string;
  readonly startMs: number;
  readonly profile: PowerProfile;
  readonly stopDelayMs: number;
  /** The API reports the meter as of the last sample instant (0: live). */
  readonly meterSampleMs: number;
  #endReceivedAt: number | null = null;
  #endEnergyWh = 0;
  duplicateEnds = 0;

  constructor(options: {
    id: string;
    startMs: number;
    profile: PowerProfile;
    stopDelayMs?: number | undefined;
    meterSampleMs?: number | undefined;
  }) {
    this.id = options.id;
    this.startMs = options.startMs;
    this.profile = options.profile;
    this.stopDelayMs = options.stopDelayMs ?? 30_000;
    this.meterSampleMs = options.meterSampleMs ?? 0;
  }

  get endReceivedAt(): number | null {
    return this.#endReceivedAt;
  }

  /** Exact energy in Wh at the end instant, or null while charging. */
  get endEnergyWh(): number | null {
    return this.#endReceivedAt === null ? null : this.#endEnergyWh;
  }

  energyWhAt(t: number): number {
    if (this.#endReceivedAt !== null && t >= this.#endReceivedAt) return this.#endEnergyWh;
    return this.profile.energyWhAt(t - this.startMs);
  }

  statusAt(t: number): 'active' | 'stopping' | 'finished' {
    const end = this.#endReceivedAt;
    if (end === null || t < end) return 'active';
    return t < end + this.stopDelayMs ? 'stopping' : 'finished';
  }

  /** The server receives `/end` at `t`: the first one freezes the meter; later ones are counted. */
  receiveEnd(t: number): void {
    if (this.#endReceivedAt !== null) {
      this.duplicateEnds++;
      return;
    }
    this.#endEnergyWh = this.profile.energyWhAt(t - this.startMs);
    this.#endReceivedAt = t;
  }

  /** The session as the AMPECO API reports it at `t` (energy in whole Wh, power in W). */
  view(t: number): Session {
    const status = this.statusAt(t);
    const charging = status === 'active';
    const m = this.meterSampleMs;
    // The stop's final meter value is reported at once; while charging, the last sample is.
    const metered = charging && m > 0 ? this.startMs + Math.floor((t - this.startMs) / m) * m : t;
    return {
      id: this.id,
      status,
      chargingState: charging ? 'charging' : status === 'stopping' ? 'charging' : null,
      startedAt: new Date(this.startMs),
      stoppedAt: status === 'finished' && this.#endReceivedAt !== null ? new Date(this.#endReceivedAt) : null,
      energyWh: Math.floor(this.energyWhAt(metered)),
      powerW: charging ? Math.round(this.profile.powerWAt(metered - this.startMs)) : 0,
      amount: null,
      currency: 'DKK',
      lastPeriod: null,
      evseId: 'evse-1',
    };
  }
}
