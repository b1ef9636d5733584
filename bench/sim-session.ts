import type { Session } from '../lambdas/core/session.ts';
import type { MeterCadence } from '../lambdas/simulator/meter.ts';
import type { Rng } from './rng.ts';

export type { MeterCadence } from '../lambdas/simulator/meter.ts';

export interface PowerProfileOptions {
  readonly powerKw: number;
  /** Each segment's power is the nominal power ± up to this fraction (uniform; 0.05 = ±5 %). */
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
      const w = Math.max(0, powerKw * 1000 * (1 + noise * (2 * rng.next() - 1)));
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
    while ((this.#cumWh[this.#cumWh.length - 1] ?? 0) < targetWh) this.#extendTo(this.#powersW.length);
    // Binary search for the segment whose end first reaches the target (energy only grows).
    let lo = 0;
    let hi = this.#powersW.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#cumWh[mid + 1] ?? 0) >= targetWh) hi = mid;
      else lo = mid + 1;
    }
    const base = this.#cumWh[lo] ?? 0;
    const power = this.#powersW[lo] ?? 0;
    return lo * segmentMs + (power > 0 ? ((targetWh - base) * 3_600_000) / power : 0);
  }
}

export interface SimSessionOptions {
  readonly id: string;
  /** Whole seconds, as AMPECO's `startedAt`. */
  readonly startMs: number;
  readonly profile: PowerProfile;
  /** When the charger sends meter values (AMPECO updates energy, power and duration only then). */
  readonly meter: MeterCadence;
  /** The charger keeps delivering this long after `/end` is received, then sends its final meter value. */
  readonly stopLatencyMs: number;
}

/**
 * One simulated charging session as the operator's back end sees it. A read shows the charger's
 * last meter value (`startedAt + duration` is its time); after `/end` is received the charger keeps
 * delivering for the stop latency (`stopping`), then the session is `finished` with the final meter
 * value, which includes that energy.
 */
export class SimSession {
  readonly id: string;
  readonly startMs: number;
  readonly profile: PowerProfile;
  readonly meter: MeterCadence;
  readonly stopLatencyMs: number;
  #endReceivedAt: number | null = null;
  duplicateEnds = 0;

  constructor(options: SimSessionOptions) {
    this.id = options.id;
    this.startMs = options.startMs;
    this.profile = options.profile;
    this.meter = options.meter;
    this.stopLatencyMs = options.stopLatencyMs;
  }

  get endReceivedAt(): number | null {
    return this.#endReceivedAt;
  }

  /** When the charger stopped delivering and sent its final meter value, or null while charging. */
  get finishedAt(): number | null {
    return this.#endReceivedAt === null ? null : this.#endReceivedAt + this.stopLatencyMs;
  }

  /** True energy (Wh) delivered by `t`: it stops growing once the charger has stopped. */
  energyWhAt(t: number): number {
    const finished = this.finishedAt;
    return this.profile.energyWhAt(Math.min(t, finished ?? t) - this.startMs);
  }

  statusAt(t: number): 'active' | 'stopping' | 'finished' {
    const end = this.#endReceivedAt;
    if (end === null || t < end) return 'active';
    return t < end + this.stopLatencyMs ? 'stopping' : 'finished';
  }

  /** The server receives `/end` at `t`: the first one starts the stop; later ones are counted. */
  receiveEnd(t: number): void {
    if (this.#endReceivedAt !== null) {
      this.duplicateEnds++;
      return;
    }
    this.#endReceivedAt = t;
  }

  /** Time of the meter value a read at `t` shows. */
  sampleAt(t: number): number {
    const finished = this.finishedAt;
    if (finished !== null && t >= finished) return finished;
    const meter = this.meter;
    // `duration` carries whole seconds: a continuous meter is one value every second.
    if (meter === 'continuous') return this.startMs + Math.floor((t - this.startMs) / 1000) * 1000;
    if ('everyS' in meter) {
      const phaseMs = (meter.phaseS ?? 1) * 1000;
      const k = Math.floor((t - this.startMs - phaseMs) / (meter.everyS * 1000));
      return k < 0 ? this.startMs : this.startMs + phaseMs + k * meter.everyS * 1000;
    }
    return this.#stepSampleAt(t, meter.perKwh * 1000);
  }

  /** Per-kWh meter: a value at the first whole second after each step was delivered. */
  #stepSampleAt(t: number, stepWh: number): number {
    const at = (step: number) =>
      this.startMs + Math.ceil(this.profile.reachOffsetMs(step * stepWh) / 1000) * 1000;
    let step = Math.floor(this.energyWhAt(t) / stepWh);
    while (step > 0 && at(step) > t) step--;
    return step > 0 ? at(step) : this.startMs;
  }

  /** The session as the AMPECO API reports it at `t` (readings as of the last meter value). */
  view(t: number): Session {
    const status = this.statusAt(t);
    const sample = this.sampleAt(t);
    return {
      id: this.id,
      status,
      chargingState: status === 'finished' ? null : 'charging',
      startedAt: new Date(this.startMs),
      stoppedAt: status === 'finished' ? new Date(this.finishedAt ?? t) : null,
      durationS: Math.floor((sample - this.startMs) / 1000),
      energyWh: Math.floor(this.energyWhAt(sample)),
      powerW: status === 'finished' ? 0 : Math.round(this.profile.powerWAt(sample - this.startMs)),
      amount: null,
      currency: 'DKK',
      lastPeriod: null,
      evseId: 'evse-1',
    };
  }
}
