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
import { type PowerProfile, SimSession } from './sim-session.ts';
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
  /** The API reports the meter as of its last sample (0: live). */
  readonly meterSampleMs?: number | undefined;
  /** Bench-only hook to measure DynamoDB item sizes. */
  readonly onItem?: InMemorySessionLogOptions['onItem'];
}

export interface RunResult {
  /** When the server received the first `/end` (virtual ms), or null when never ended. */
  readonly endAt: number | null;
  /** Exact metered energy at that instant, kWh. */
  readonly endEnergyKwh: number | null;
  /** AMPECO calls handled from session start up to and including the first `/end`. */
  readonly callsUntilEnd: number;
  /** Session start to `/end` received. */
  readonly chargedHours: number;
  /** Ticks started from session start up to the `/end`. */
  readonly ticks: number;
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
 * sharing one session log. Stops scheduling once `/end` was received and every tick finished.
 */
export async function simulate(c: SessionCase, strategy: Strategy, options: SimOptions): Promise<RunResult> {
  const interval = strategy.intervalMs;
  const offset = c.phase * interval;
  let nextTick = offset + Math.ceil((c.startMs - offset) / interval) * interval;
  const clock = new VirtualClock(nextTick);
  const session = new SimSession({
    id: c.id,
    startMs: c.startMs,
    profile: c.profile,
    meterSampleMs: c.meterSampleMs,
  });
  const api = new SimChargingApi(clock, session, {
    latencyMs: options.latencyMs,
    jitterMs: options.jitterMs,
    rng: Rng.derive(options.seed, c.index, interval, strategy.horizonMs),
  });
  const log = new InMemorySessionLog(clock, { opLatencyMs: options.dbLatencyMs, onItem: c.onItem });
  let inflight = 0;
  const errors: string[] = [];
  const actions: Record<string, number> = {};
  let ticks = 0;
  let waits = 0;
  let waitedMs = 0;
  let waitsWithoutStop = 0;

  for (;;) {
    const endAt = session.endReceivedAt;
    if (endAt !== null && inflight === 0 && clock.ms >= endAt) break;
    const tickDue = endAt === null || nextTick < endAt ? nextTick : Number.POSITIVE_INFINITY;
    const wake = clock.nextWake() ?? Number.POSITIVE_INFINITY;
    const next = Math.min(tickDue, wake);
    if (next === Number.POSITIVE_INFINITY || next > c.capMs) break;
    await clock.advance(next);
    if (next !== tickDue) continue;
    ticks++;
    const instanceId = `tick-${ticks}`;
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
  const endWh = session.endEnergyWh;
  return {
    endAt,
    endEnergyKwh: endWh === null ? null : endWh / 1000,
    callsUntilEnd: endAt === null ? api.calls.length : api.calls.filter((call) => call.at <= endAt).length,
    chargedHours: ((endAt ?? clock.ms) - c.startMs) / 3_600_000,
    ticks,
    waits,
    waitedMs,
    waitsWithoutStop,
    endCalls: api.calls.filter((call) => call.kind === 'end').length,
    duplicateEnds: session.duplicateEnds,
    errors,
    db: log.ops,
    actions,
  };
}
