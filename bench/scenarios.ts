import { parseRules } from '../lambdas/config.ts';
import { nextOccurrence } from '../lambdas/core/local-time.ts';
import { Rng } from './rng.ts';
import { type MeterCadence, PowerProfile } from './sim-session.ts';
import type { SessionCase } from './simulate.ts';
import { StepPriceSource } from './step-price-source.ts';

export interface ScenarioConfig {
  readonly n: number;
  readonly seed: number;
  /** Each segment's power is nominal ± up to this fraction (uniform). */
  readonly noise: number;
  readonly segmentMs: number;
  /** When the charger sends meter values. */
  readonly meter: MeterCadence;
  /** How long the charger keeps delivering after `/end` is received. */
  readonly stopLatencyMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** AMPECO's `startedAt` carries whole seconds. */
const wholeSeconds = (ms: number) => Math.round(ms / 1000) * 1000;
/** Energy session i starts within an hour of this instant plus i days (a June evening). */
const ENERGY_EPOCH = Date.UTC(2025, 5, 2, 16, 0, 0);
/** Price boundaries fall on one of 16 quarter-hours from this instant. */
const PRICE_EPOCH = Date.UTC(2025, 5, 2, 15, 0, 0);
export const PRICE = { threshold: 2, before: 1.5, after: 3, powerKw: 11 } as const;
export const DEADLINE = {
  stopBy: '07:00',
  timezone: 'Europe/Copenhagen',
  day: Date.UTC(2025, 5, 3, 2, 0),
} as const;

export interface EnergyCase {
  readonly c: SessionCase;
  readonly targetKwh: number;
  /** When the target is actually reached (exact integral). */
  readonly reachAt: number;
}

export interface BoundaryCase {
  readonly c: SessionCase;
  /** The instant the rule starts to hold (price slot boundary or deadline). */
  readonly boundaryMs: number;
}

function profile(config: ScenarioConfig, powerKw: number, ...labels: number[]): PowerProfile {
  return new PowerProfile({
    powerKw,
    noise: config.noise,
    segmentMs: config.segmentMs,
    rng: Rng.derive(config.seed, 2, ...labels),
  });
}

/**
 * Energy targets 10-40 kWh (0.1 kWh steps), random start within the evening hour and schedule
 * phase; one session a day, so a block's sessions can be replayed in order as one account's.
 */
export function energyCases(config: ScenarioConfig, powerKw: number): EnergyCase[] {
  const cases: EnergyCase[] = [];
  const label = Math.round(powerKw * 10);
  for (let i = 0; i < config.n; i++) {
    const rng = Rng.derive(config.seed, 1, label, i);
    const targetKwh = Math.round(rng.between(10, 40) * 10) / 10;
    const startMs = wholeSeconds(ENERGY_EPOCH + i * DAY + rng.between(0, 60 * MINUTE));
    const phase = rng.next();
    const p = profile(config, powerKw, label, i);
    const reachAt = startMs + p.reachOffsetMs(targetKwh * 1000);
    cases.push({
      targetKwh,
      reachAt,
      c: {
        id: `e${label}-${i}`,
        index: i,
        startMs,
        profile: p,
        rules: parseRules({ energyKwh: targetKwh }),
        phase,
        capMs: reachAt + 30 * MINUTE,
        meter: config.meter,
        stopLatencyMs: config.stopLatencyMs,
      },
    });
  }
  return cases;
}

/** Spot price rule: the price steps above the threshold at a quarter-hour boundary. */
export function priceCases(config: ScenarioConfig): BoundaryCase[] {
  const cases: BoundaryCase[] = [];
  const rules = parseRules({ priceSource: 'spot', maxPricePerKwh: PRICE.threshold });
  for (let i = 0; i < config.n; i++) {
    const rng = Rng.derive(config.seed, 3, i);
    const boundaryMs = PRICE_EPOCH + Math.floor(rng.between(0, 16)) * 15 * MINUTE;
    const startMs = wholeSeconds(boundaryMs - rng.between(30, 180) * MINUTE);
    cases.push({
      boundaryMs,
      c: {
        id: `p-${i}`,
        index: i,
        startMs,
        profile: profile(config, PRICE.powerKw, 3, i),
        rules,
        prices: new StepPriceSource({ boundaryMs, before: PRICE.before, after: PRICE.after }),
        phase: rng.next(),
        capMs: boundaryMs + 30 * MINUTE,
        meter: config.meter,
        stopLatencyMs: config.stopLatencyMs,
      },
    });
  }
  return cases;
}

/** Deadline rule (`stopBy` 07:00 Europe/Copenhagen); sessions start 30-180 min before it. */
export function deadlineCases(config: ScenarioConfig): BoundaryCase[] {
  const cases: BoundaryCase[] = [];
  const rules = parseRules({ stopBy: DEADLINE.stopBy, timezone: DEADLINE.timezone });
  const deadline = nextOccurrence(
    new Date(DEADLINE.day),
    { hour: 7, minute: 0 },
    DEADLINE.timezone,
  ).getTime();
  for (let i = 0; i < config.n; i++) {
    const rng = Rng.derive(config.seed, 4, i);
    const startMs = wholeSeconds(deadline - rng.between(30, 180) * MINUTE);
    cases.push({
      boundaryMs: deadline,
      c: {
        id: `d-${i}`,
        index: i,
        startMs,
        profile: profile(config, PRICE.powerKw, 4, i),
        rules,
        phase: rng.next(),
        capMs: deadline + 30 * MINUTE,
        meter: config.meter,
        stopLatencyMs: config.stopLatencyMs,
      },
    });
  }
  return cases;
}
