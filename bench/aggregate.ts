import type { RunResult } from './simulate.ts';
import { round, type Summary, summarize } from './stats.ts';

/** What one strategy did over a set of sessions. */
export interface StrategyStats {
  readonly strategy: string;
  readonly sessions: number;
  /** Sessions never ended before the cap. */
  readonly notEnded: number;
  /** AMPECO calls per charged hour: all calls from session start until `/end` over all charged time. */
  readonly callsPerChargedHour: number;
  /** AMPECO calls after `/end` per session (follow-up re-reads and ticks until one sees it finished). */
  readonly callsAfterEndPerSession: number;
  readonly meanCallsPerSession: number;
  readonly meanTicksPerSession: number;
  readonly waits: number;
  readonly waitsWithoutStop: number;
  /** Mean in-tick wait per session that waited (ms). */
  readonly meanWaitMs: number;
  /** `/end` calls beyond the first (must be 0: never stop twice). */
  readonly duplicateEnds: number;
  readonly errors: readonly string[];
  /** DynamoDB requests per tick (ticks that saw the session). */
  readonly dynamoWritesPerTick: number;
  readonly dynamoReadsPerTick: number;
}

export function strategyStats(strategy: string, runs: readonly RunResult[]): StrategyStats {
  const sum = (f: (r: RunResult) => number) => runs.reduce((s, r) => s + f(r), 0);
  const ended = runs.filter((r) => r.endAt !== null);
  const ticks = sum((r) => r.ticks);
  const ticksRun = sum((r) => r.ticksRun);
  const waits = sum((r) => r.waits);
  return {
    strategy,
    sessions: runs.length,
    notEnded: runs.length - ended.length,
    callsPerChargedHour: sum((r) => r.callsUntilEnd) / sum((r) => r.chargedHours),
    callsAfterEndPerSession: sum((r) => r.callsAfterEnd) / runs.length,
    meanCallsPerSession: sum((r) => r.callsUntilEnd) / runs.length,
    meanTicksPerSession: ticks / runs.length,
    waits,
    waitsWithoutStop: sum((r) => r.waitsWithoutStop),
    meanWaitMs: waits > 0 ? sum((r) => r.waitedMs) / waits : 0,
    duplicateEnds: sum((r) => r.duplicateEnds),
    errors: [...new Set(runs.flatMap((r) => r.errors))].slice(0, 5),
    dynamoWritesPerTick: sum((r) => r.db.writes) / ticksRun,
    dynamoReadsPerTick: sum((r) => r.db.reads) / ticksRun,
  };
}

export function rounded(summary: Summary, digits: number): Summary {
  return {
    median: round(summary.median, digits),
    p90: round(summary.p90, digits),
    p95: round(summary.p95, digits),
    max: round(summary.max, digits),
    min: round(summary.min, digits),
    mean: round(summary.mean, digits),
  };
}

/** Summary of a per-session value over the sessions that were ended. */
export function over(values: readonly (number | null)[]): Summary {
  return summarize(values.filter((v): v is number => v !== null && Number.isFinite(v)));
}
