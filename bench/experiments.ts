import { over, type StrategyStats, strategyStats } from './aggregate.ts';
import { type BoundaryCase, type EnergyCase, energyCases, type ScenarioConfig } from './scenarios.ts';
import type { MeterCadence } from './sim-session.ts';
import { type Account, newAccount, type RunResult, type SimOptions, simulate } from './simulate.ts';
import type { Summary } from './stats.ts';
import type { Strategy } from './strategies.ts';

export interface EnergyRow {
  readonly strategy: string;
  readonly stats: StrategyStats;
  /**
   * True overshoot: the finished session's energy (the charger's final meter value, after the
   * stop latency) minus the target, kWh (negative = early).
   */
  readonly overshootKwh: Summary;
  /** Median |true overshoot|, kWh: robust when a median is near zero or negative. */
  readonly medianAbsKwh: number;
  /** True energy when `/end` was received minus the target, kWh: the overshoot before the latency. */
  readonly atEndKwh: Summary;
  /** When the charger stopped minus when the target was reached, seconds. */
  readonly lateSeconds: Summary;
  readonly perSession: readonly (number | null)[];
}

export interface EnergyBlock {
  readonly powerKw: number;
  readonly meter: MeterCadence;
  readonly stopLatencyMs: number;
  readonly sessions: number;
  readonly rows: readonly EnergyRow[];
}

export interface BoundaryRow {
  readonly strategy: string;
  readonly stats: StrategyStats;
  /** `/end` received minus the boundary (price slot start or deadline), seconds. */
  readonly latenessSeconds: Summary;
}

/**
 * Every session is replayed under every strategy (paired: same start, target, power noise). With
 * `asAccount`, each strategy's sessions are one account's, in time order on one clock and log (what
 * the product learns from earlier sessions carries over); otherwise each session stands alone.
 */
async function replay<C extends { c: EnergyCase['c'] }>(
  cases: readonly C[],
  strategies: readonly Strategy[],
  sim: SimOptions,
  asAccount: boolean,
): Promise<RunResult[][]> {
  const runs: RunResult[][] = strategies.map(() => []);
  const first = cases[0]?.c.startMs ?? 0;
  const accounts: (Account | undefined)[] = strategies.map(() =>
    asAccount ? newAccount(first, sim) : undefined,
  );
  for (const k of cases) {
    for (const [i, strategy] of strategies.entries())
      runs[i]?.push(await simulate(k.c, strategy, sim, accounts[i]));
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
  const runs = await replay(cases, strategies, sim, true);
  const rows = strategies.map((strategy, i): EnergyRow => {
    const results = runs[i] ?? [];
    const minusTarget = (pick: (r: RunResult) => number | null) =>
      results.map((r, j) => {
        const value = pick(r);
        const target = cases[j]?.targetKwh;
        return value === null || target === undefined ? null : value - target;
      });
    const overshoot = minusTarget((r) => r.finalEnergyKwh);
    const late = results.map((r, j) => {
      const reach = cases[j]?.reachAt;
      return r.endAt === null || reach === undefined ? null : (r.endAt + config.stopLatencyMs - reach) / 1000;
    });
    return {
      strategy: strategy.name,
      stats: strategyStats(strategy.name, results),
      overshootKwh: over(overshoot),
      medianAbsKwh: over(overshoot.map((v) => (v === null ? null : Math.abs(v)))).median,
      atEndKwh: over(minusTarget((r) => r.endEnergyKwh)),
      lateSeconds: over(late),
      perSession: overshoot,
    };
  });
  return {
    powerKw,
    meter: config.meter,
    stopLatencyMs: config.stopLatencyMs,
    sessions: cases.length,
    rows,
  };
}

export async function runBoundary(
  cases: readonly BoundaryCase[],
  sim: SimOptions,
  strategies: readonly Strategy[],
): Promise<BoundaryRow[]> {
  const runs = await replay(cases, strategies, sim, false);
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
