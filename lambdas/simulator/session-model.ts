import { chargePointJson } from './fixture.ts';
import { DEFAULT_METER, lastSampleMs, type MeterCadence, noiseFactor } from './meter.ts';
import { type Price, priceAt, VAT_FACTOR } from './pricing.ts';
import { sessionJson } from './session-json.ts';

export type SimStatus = 'starting' | 'active' | 'stopping' | 'finished';
export type SimChargingState = 'eVConnected' | 'charging' | 'suspendedEV' | 'suspendedEVSE';

export interface SimSessionOptions {
  /** Default: incrementing numeric string starting "100001". */
  id?: string;
  /** personal: in GET /personal/charge-points; public: only via GET /session/active. Default personal. */
  where?: 'personal' | 'public';
  /** Default active. */
  status?: SimStatus;
  /** Default charging. */
  chargingState?: SimChargingState;
  /** Constant power while charging, kW (default 11). */
  powerKw?: number;
  /** Energy already delivered at creation, Wh (default 0). */
  energyWh?: number;
  /** When the session energy reaches this, the car is full: suspendedEV, power 0. */
  capacityKwh?: number;
  /** Default: clock now minus the energy/power duration. */
  startedAt?: Date;
  /** lastPeriod.state price component, DKK/kWh (default 0.5). */
  spotPrice?: Price;
  /** lastPeriod.state markup (default 1). */
  markup?: Price;
  /** Amount floor once any cost accrued (default 2.5). */
  minPrice?: number;
  /** Stop latency: sim ms from an accepted /end to finished, delivering meanwhile (default 5000). */
  stopDelayMs?: number;
  /** When the charger sends meter values (default every 60 s, 1 s after each minute from start). */
  meter?: MeterCadence;
  /** Power noise: each meter sample reads the power ± up to this many percent (default 0). */
  powerNoisePct?: number;
  /** Default true; false = lastPeriod absent (as right after start). */
  withLastPeriod?: boolean;
}

export interface SimSessionState {
  id: string;
  where: 'personal' | 'public';
  status: string;
  chargingState: string;
  /** TRUE energy delivered (Wh), exact, at clock now; once finished, the final meter value. */
  energyWh: number;
  /** The energy a read shows now: the last meter sample, floored to whole Wh. */
  meterEnergyWh: number;
  /** Time of that sample (`startedAt + duration` on the API). */
  lastSampleAtMs: number;
  powerW: number;
  endRequestedAtMs: number | null;
  finishedAtMs: number | null;
}

const MS_PER_HOUR = 3_600_000;
/** One simulated charging session; every reading is computed lazily from a clock time. */
export class SimSession {
  readonly id: string;
  readonly where: 'personal' | 'public';
  /** 1-based creation index: gives the session its own charge point / EVSE ids. */
  readonly index: number;
  readonly startedAtMs: number;
  endRequestedAtMs: number | null = null;
  finishedAtMs: number | null = null;

  private readonly initialStatus: SimStatus;
  private readonly initialChargingState: SimChargingState;
  private readonly powerW: number;
  private readonly energyWh0: number;
  private readonly capacityWh: number;
  private readonly createdAtMs: number;
  private readonly spotPrice: Price;
  private readonly markup: Price;
  private readonly minPrice: number;
  private readonly stopDelayMs: number;
  private readonly withLastPeriod: boolean;
  private readonly meter: MeterCadence;
  private readonly powerNoisePct: number;

  constructor(id: string, index: number, options: SimSessionOptions, nowMs: number) {
    this.id = id;
    this.index = index;
    this.where = options.where ?? 'personal';
    this.initialStatus = options.status ?? 'active';
    this.initialChargingState = options.chargingState ?? 'charging';
    this.powerW = Math.max(0, (options.powerKw ?? 11) * 1000);
    this.energyWh0 = Math.max(0, options.energyWh ?? 0);
    this.capacityWh =
      options.capacityKwh === undefined ? Number.POSITIVE_INFINITY : options.capacityKwh * 1000;
    this.createdAtMs = nowMs;
    this.spotPrice = options.spotPrice ?? 0.5;
    this.markup = options.markup ?? 1;
    this.minPrice = options.minPrice ?? 2.5;
    this.stopDelayMs = Math.max(0, options.stopDelayMs ?? 5000);
    this.withLastPeriod = options.withLastPeriod ?? true;
    this.meter = options.meter ?? DEFAULT_METER;
    this.powerNoisePct = Math.max(0, options.powerNoisePct ?? 0);
    const defaultStart = this.powerW > 0 ? nowMs - (this.energyWh0 / this.powerW) * MS_PER_HOUR : nowMs;
    this.startedAtMs = Math.floor((options.startedAt?.getTime() ?? defaultStart) / 1000) * 1000;
    if (this.initialStatus === 'stopping') {
      this.endRequestedAtMs = nowMs;
      this.finishedAtMs = nowMs + this.stopDelayMs;
    } else if (this.initialStatus === 'finished') {
      this.finishedAtMs = nowMs;
    }
  }

  /** Whether the charger delivers power in the session's initial state (before any cap or stop). */
  private get flows(): boolean {
    return (
      this.powerW > 0 &&
      this.initialChargingState === 'charging' &&
      (this.initialStatus === 'active' || this.initialStatus === 'stopping')
    );
  }

  /** Sim time at which energy stops accruing (car full or session finished), or +Infinity. */
  private flowEndMs(): number {
    if (!this.flows) return this.createdAtMs;
    const full =
      this.energyWh0 >= this.capacityWh
        ? this.createdAtMs
        : this.createdAtMs + ((this.capacityWh - this.energyWh0) / this.powerW) * MS_PER_HOUR;
    return Math.min(full, this.finishedAtMs ?? Number.POSITIVE_INFINITY);
  }

  status(atMs: number): SimStatus {
    if (this.finishedAtMs !== null && atMs >= this.finishedAtMs) return 'finished';
    if (this.endRequestedAtMs !== null) return 'stopping';
    return this.initialStatus;
  }

  private isFull(atMs: number): boolean {
    return this.flows && this.energy(atMs) >= this.capacityWh;
  }

  energy(atMs: number): number {
    const until = Math.min(atMs, this.flowEndMs());
    const elapsed = Math.max(0, until - this.createdAtMs);
    return Math.min(this.capacityWh, this.energyWh0 + (this.powerW * elapsed) / MS_PER_HOUR);
  }

  power(atMs: number): number {
    if (!this.flows || this.status(atMs) === 'finished' || this.isFull(atMs)) return 0;
    return Math.round(this.powerW);
  }

  chargingState(atMs: number): SimChargingState {
    if (this.status(atMs) === 'finished') return 'eVConnected';
    if (this.isFull(atMs)) return 'suspendedEV';
    return this.initialChargingState;
  }

  private evseStatus(atMs: number): string {
    const status = this.status(atMs);
    if (status === 'finished') return 'finishing';
    if (status === 'starting') return 'preparing';
    return this.power(atMs) > 0 ? 'charging' : 'suspended';
  }

  private unitPrice(atMs: number): number {
    return priceAt(this.spotPrice, atMs) * VAT_FACTOR + priceAt(this.markup, atMs);
  }

  /** Exact cost (DKK) of the energy delivered up to atMs, priced when it was delivered (hourly steps). */
  cost(atMs: number): number {
    if (typeof this.spotPrice === 'number' && typeof this.markup === 'number') {
      return (this.energy(atMs) / 1000) * this.unitPrice(atMs);
    }
    let total = (this.energyWh0 / 1000) * this.unitPrice(this.createdAtMs);
    const end = Math.min(atMs, this.flowEndMs());
    let from = this.createdAtMs;
    while (from < end) {
      const to = Math.min(end, (Math.floor(from / MS_PER_HOUR) + 1) * MS_PER_HOUR);
      total += ((this.powerW * (to - from)) / MS_PER_HOUR / 1000) * this.unitPrice(from);
      from = to;
    }
    return total;
  }

  /** Accepts a remote stop. Returns false when the session is already finished. */
  requestEnd(atMs: number): boolean {
    if (this.status(atMs) === 'finished') return false;
    if (this.endRequestedAtMs === null) {
      this.endRequestedAtMs = atMs;
      this.finishedAtMs = atMs + this.stopDelayMs;
    }
    return true;
  }

  state(atMs: number): SimSessionState {
    return {
      id: this.id,
      where: this.where,
      status: this.status(atMs),
      chargingState: this.chargingState(atMs),
      energyWh: this.energy(atMs),
      meterEnergyWh: Math.floor(this.energy(this.lastSampleMs(atMs))),
      lastSampleAtMs: this.lastSampleMs(atMs),
      powerW: this.power(atMs),
      endRequestedAtMs: this.endRequestedAtMs,
      finishedAtMs: this.finishedAtMs,
    };
  }

  /** The AMPECO session object at atMs: status now, meter readings at the last meter sample. */
  toJson(atMs: number): Record<string, unknown> {
    const status = this.status(atMs);
    const sampleMs = this.lastSampleMs(atMs);
    const power = this.power(sampleMs);
    return sessionJson({
      id: this.id,
      index: this.index,
      where: this.where,
      status,
      stopReason: status !== 'finished' ? null : this.endRequestedAtMs !== null ? 'remote' : 'local',
      chargingState: this.chargingState(atMs),
      evseStatus: this.evseStatus(atMs),
      startedAtMs: this.startedAtMs,
      sampleMs,
      energyWh: this.energy(sampleMs),
      powerW: Math.round(power * noiseFactor(this.powerNoisePct, sampleMs)),
      cost: this.cost(sampleMs),
      minPrice: this.minPrice,
      lastPeriod: this.withLastPeriod
        ? { spotPrice: priceAt(this.spotPrice, atMs), markup: priceAt(this.markup, atMs) }
        : null,
    });
  }

  /** Time of the meter value a read at atMs shows. */
  lastSampleMs(atMs: number): number {
    return lastSampleMs(this.meter, this, atMs);
  }

  timeOfEnergy(wh: number): number {
    if (this.powerW <= 0) return this.createdAtMs;
    return this.createdAtMs + ((wh - this.energyWh0) / this.powerW) * MS_PER_HOUR;
  }

  /** A charge point (clone of the fixture's data[0]) carrying this session's EVSE; session null once finished. */
  chargePointJson(atMs: number): Record<string, unknown> {
    return chargePointJson(this.index, this.status(atMs) === 'finished' ? null : this, atMs);
  }
}
