import type { Rules } from '../lambdas/core/rules.ts';
import type { PriceSource } from '../lambdas/ports.ts';
import { runCheck } from '../lambdas/run-check.ts';
import {
  type DynamoOps,
  InMemorySessionLog,
  type InMemorySessionLogOptions,
} from './in-memory-session-log.ts';
import { Rng } from './rng.ts';
import { SimChargingApi } from './sim-charging-api.ts';
import { type MeterCadence, type PowerProfile, SimSession } from './sim-session.ts';
import type { Strategy } from './strategies.ts';
import { VirtualClock } from './virtual-clock.ts';

export interface SimOptions {
  /** AMPECO round trip per call (virtual ms). */
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** DynamoDB request time (virtual ms). */
  readonly dbLatencyMs: number;
  readonly seed: number;
}

/** What the sessions of one account share: its clock (sessions replayed in time order) and its log. */
export interface Account {
  readonly clock: VirtualClock;
  readonly log: InMemorySessionLog;
}

export function newAccount(startMs: number, options: SimOptions): Account {
  const clock = new VirtualClock(startMs);
  return { clock, log: new InMemorySessionLog(clock, { opLatencyMs: options.dbLatencyMs }) };
}

/** One session to replay under each strategy; every field is fixed by the seed. */
export interface SessionCase {
  readonly id: string;
  readonly index: number;
  readonly startMs: number;
  readonly profile: PowerProfile;
  readonly rules: Rules;
  readonly prices?: PriceSource | undefined;
  /** Ticks fire at `phase * interval + k * interval` (epoch ms): the schedule's random phase. */
  readonly phase: number;
  /** Give up if the session has not been ended by then. */
  readonly capMs: number;
  /** When the charger sends meter values. */
  readonly meter: MeterCadence;
  /** How long the charger keeps delivering after `/end` is received. */
  readonly stopLatencyMs: number;
  /** Bench-only hook to measure DynamoDB item sizes. */
  readonly onItem?: InMemorySessionLogOptions['onItem'];
}

export interface RunResult {
  /** When the server received the first `/end` (virtual ms), or null when never ended. */
  readonly endAt: number | null;
  /** True energy delivered when `/end` was received, kWh. */
  readonly endEnergyKwh: number | null;
  /** The finished session's energy: the charger's final meter value (after the stop latency), kWh. */
  readonly finalEnergyKwh: number | null;
  /** AMPECO calls handled from session start up to and including the first `/end`. */
  readonly callsUntilEnd: number;
  /** AMPECO calls after the first `/end` (follow-up re-reads, ticks until one sees it finished). */
  readonly callsAfterEnd: number;
  /** Session start to `/end` received. */
  readonly chargedHours: number;
  /** Ticks started from session start up to the `/end`. */
  readonly ticks: number;
  /** Every tick run for this session, the ones after `/end` too (DynamoDB requests are over these). */
  readonly ticksRun: number;
  /** Ticks that waited in-tick for a predicted stop, and for how long in total. */
  readonly waits: number;
  readonly waitedMs: number;
  /** In-tick waits after which the tick did not end the session (the wait bought nothing). */
  readonly waitsWithoutStop: number;
  readonly endCalls: number;
  readonly duplicateEnds: number;
  readonly errors: readonly string[];
  readonly db: DynamoOps;
  /** Outcome actions of the ticks that ran, e.g. { continue: 59, end: 1 }. */
  readonly actions: Readonly<Record<string, number>>;
}

/**
 * Replays one session under one strategy on a virtual clock: ticks fire on schedule and run
 * concurrently when one is still waiting in-tick (as overlapping Lambda invocations would),
 * sharing one session log. Stops scheduling once a tick that started after the session finished
 * has run (so whatever the product learns from a finished session is learned) and every tick is
 * done. With an `account`, the session is one of that account's, replayed after the earlier ones
 * on the same clock and log; without, it has a fresh clock and log of its own.
 */
export async function simulate(
  c: SessionCase,
  strategy: Strategy,
  options: SimOptions,
  account?: Account,
): Promise<RunResult> {
  const interval = strategy.intervalMs;
  const offset = c.phase * interval;
  let nextTick = offset + Math.ceil((c.startMs - offset) / interval) * interval;
  const clock = account?.clock ?? new VirtualClock(nextTick);
  await clock.advance(nextTick);
  const session = new SimSession({
    id: c.id,
    startMs: c.startMs,
    profile: c.profile,
    meter: c.meter,
    stopLatencyMs: c.stopLatencyMs,
  });
  const api = new SimChargingApi(clock, session, {
    latencyMs: options.latencyMs,
    jitterMs: options.jitterMs,
    rng: Rng.derive(options.seed, c.index, interval, strategy.horizonMs),
    rawEnergy: strategy.rawEnergy,
  });
  const log =
    account?.log ?? new InMemorySessionLog(clock, { opLatencyMs: options.dbLatencyMs, onItem: c.onItem });
  const dbBefore = { writes: log.ops.writes, reads: log.ops.reads };
  let inflight = 0;
  const errors: string[] = [];
  const actions: Record<string, number> = {};
  let ticks = 0;
  let ticksRun = 0;
  let waits = 0;
  let waitedMs = 0;
  let waitsWithoutStop = 0;

  let lastTickAt = Number.NEGATIVE_INFINITY;
  for (;;) {
    const finishedAt = session.finishedAt;
    if (finishedAt !== null && inflight === 0 && lastTickAt >= finishedAt) break;
    const tickDue = nextTick;
    const wake = clock.nextWake() ?? Number.POSITIVE_INFINITY;
    const next = Math.min(tickDue, wake);
    if (next === Number.POSITIVE_INFINITY || next > c.capMs) break;
    await clock.advance(next);
    if (next !== tickDue) continue;
    lastTickAt = next;
    ticksRun++;
    if (session.endReceivedAt === null) ticks++;
    const instanceId = `tick-${next}`;
    inflight++;
    // Bookkeeping runs inside the task, so it is done by the time the clock sees the task finish.
    void clock.spawn(async () => {
      try {
        const outcome = await runCheck({
          api,
          log,
          rules: c.rules,
          clock,
          prices: c.prices,
          instanceId,
          horizonMs: strategy.horizonMs,
          // As the scheduled function: an accepted stop is followed until the session is finished.
          followStops: true,
          warn: (message) => errors.push(`warn: ${message}`),
        });
        actions[outcome.action] = (actions[outcome.action] ?? 0) + 1;
        if (outcome.waitedMs > 0) {
          waits++;
          waitedMs += outcome.waitedMs;
          if (outcome.action !== 'end') waitsWithoutStop++;
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      } finally {
        inflight--;
      }
    });
    nextTick += interval;
    await clock.quiescent();
  }

  const endAt = session.endReceivedAt;
  const finishedAt = session.finishedAt;
  const untilEnd = endAt === null ? api.calls.length : api.calls.filter((call) => call.at <= endAt).length;
  return {
    endAt,
    endEnergyKwh: endAt === null ? null : session.energyWhAt(endAt) / 1000,
    finalEnergyKwh: finishedAt === null ? null : session.energyWhAt(finishedAt) / 1000,
    callsUntilEnd: untilEnd,
    callsAfterEnd: api.calls.length - untilEnd,
    chargedHours: ((endAt ?? clock.ms) - c.startMs) / 3_600_000,
    ticks,
    ticksRun,
    waits,
    waitedMs,
    waitsWithoutStop,
    endCalls: api.calls.filter((call) => call.kind === 'end').length,
    duplicateEnds: session.duplicateEnds,
    errors,
    db: { ...log.ops, writes: log.ops.writes - dbBefore.writes, reads: log.ops.reads - dbBefore.reads },
    actions,
  };
}
