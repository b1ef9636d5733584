import { over, type StrategyStats, strategyStats } from './aggregate.ts';
import { type BoundaryCase, type EnergyCase, energyCases, type ScenarioConfig } from './scenarios.ts';
import { type RunResult, type SimOptions, simulate } from './simulate.ts';
import type { Summary } from './stats.ts';
import type { Strategy } from './strategies.ts';

export interface EnergyRow {
  readonly strategy: string;
  readonly stats: StrategyStats;
  /** Metered energy at the instant `/end` is received minus the target, kWh (negative = early). */
  readonly overshootKwh: Summary;
  /** The same as time: `/end` received minus the instant the target was reached, seconds. */
  readonly lateSeconds: Summary;
  /** Median |overshoot|, kWh: robust when a median is near zero or negative. */
  readonly medianAbsKwh: number;
  readonly perSession: readonly (number | null)[];
}

export interface EnergyBlock {
  readonly powerKw: number;
  readonly meterSampleMs: number;
  readonly rows: readonly EnergyRow[];
}

export interface BoundaryRow {
  readonly strategy: string;
  readonly stats: StrategyStats;
  /** `/end` received minus the boundary (price slot start or deadline), seconds. */
  readonly latenessSeconds: Summary;
}

/** Every session is replayed under every strategy (paired: same start, target, power noise). */
async function replay<C extends { c: EnergyCase['c'] }>(
  cases: readonly C[],
  strategies: readonly Strategy[],
  sim: SimOptions,
): Promise<RunResult[][]> {
  const runs: RunResult[][] = strategies.map(() => []);
  for (const k of cases) {
    for (const [i, strategy] of strategies.entries()) runs[i]?.push(await simulate(k.c, strategy, sim));
  }
  return runs;
}

export async function runEnergy(
  powerKw: number,
  config: ScenarioConfig,
  sim: SimOptions,
  strategies: readonly Strategy[],
): Promise<EnergyBlock> {
  const cases = energyCases(config, powerKw);
  const runs = await replay(cases, strategies, sim);
  const rows = strategies.map((strategy, i): EnergyRow => {
    const results = runs[i] ?? [];
    const overshoot = results.map((r, j) => {
      const target = cases[j]?.targetKwh;
      return r.endEnergyKwh === null || target === undefined ? null : r.endEnergyKwh - target;
    });
    const late = results.map((r, j) => {
      const reach = cases[j]?.reachAt;
      return r.endAt === null || reach === undefined ? null : (r.endAt - reach) / 1000;
    });
    return {
      strategy: strategy.name,
      stats: strategyStats(strategy.name, results),
      overshootKwh: over(overshoot),
      lateSeconds: over(late),
      medianAbsKwh: over(overshoot.map((v) => (v === null ? null : Math.abs(v)))).median,
      perSession: overshoot,
    };
  });
  return { powerKw, meterSampleMs: config.meterSampleMs ?? 0, rows };
}

export async function runBoundary(
  cases: readonly BoundaryCase[],
  sim: SimOptions,
  strategies: readonly Strategy[],
): Promise<BoundaryRow[]> {
  const runs = await replay(cases, strategies, sim);
  return strategies.map((strategy, i) => {
    const results = runs[i] ?? [];
    const lateness = results.map((r, j) => {
      const boundary = cases[j]?.boundaryMs;
      return r.endAt === null || boundary === undefined ? null : (r.endAt - boundary) / 1000;
    });
    return {
      strategy: strategy.name,
      stats: strategyStats(strategy.name, results),
      latenessSeconds: over(lateness),
    };
  });
}
