import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { boundedFetch } from '../../lambdas/adapters/http/bounded-fetch.ts';
import { systemClock } from '../../lambdas/adapters/system-clock.ts';
import { ConfigError, InvalidResponseError } from '../../lambdas/errors.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { STOPWATT_VERSION } from '../../lambdas/version.ts';
import { isLoopback } from '../../lambdas/web/local/node-server.ts';
import type { CliIo } from './io.ts';
import { apiUrlFrom } from './local-deps.ts';

export const SIMULATOR_CLOCK_OPTION = { 'simulator-clock': { type: 'boolean' } } as const;

/** Help for --simulator-clock; `simulated` names what then counts simulated time (times, flags). */
export function simulatorClockHelp(simulated: string): string {
  return `  --simulator-clock     run on the clock of \`stopwatt simulate\` (read from <api-url>/__sim/clock,
                        loopback only), so a --speed N simulator stops on target;
                        ${simulated} are then simulated time`;
}

/** `GET /__sim/clock` of `stopwatt simulate`: its simulated time and how fast it runs. */
const SIMULATOR_CLOCK = z.object({
  now: z.iso.datetime(),
  speed: z.number().positive(),
});

const CLOCK_PATH = '/__sim/clock';
const CLOCK_READINGS = 3;

/** The time a loop runs on: the clock it judges by, and the real sleep for a span of that clock. */
export interface LoopTime {
  readonly clock: Clock;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Simulated ms per real ms; 1 on the real clock. */
  readonly speed: number;
}

/** Real time: what every run uses unless `--simulator-clock` asks for the simulator's. */
function realLoopTime(signal: AbortSignal | undefined): LoopTime {
  return {
    clock: { now: () => systemClock.now(), sleep: (ms) => delay(ms, undefined, { signal }) },
    sleep: (ms, sleepSignal) => delay(ms, undefined, { signal: sleepSignal }).then(() => undefined),
    speed: 1,
  };
}

/**
 * Follows the clock of `stopwatt simulate` (which may run N times faster than real time), read
 * at start from `<apiUrl>/__sim/clock`. Only ever asked for explicitly, and only of a loopback URL:
 * a real charging API has no such endpoint, and its time is real time.
 */
async function simulatorLoopTime(apiUrl: string, signal: AbortSignal | undefined): Promise<LoopTime> {
  const url = new URL(apiUrl);
  if (!isLoopback(url.hostname)) {
    throw new ConfigError(
      `--simulator-clock follows a local \`stopwatt simulate\`; the API URL ${url.origin} is not on this computer`,
    );
  }
  const { simulatedAt, readAt, speed } = await bestClockReading(url.origin);
  const now = () => new Date(simulatedAt + (Date.now() - readAt) * speed);
  return {
    clock: { now, sleep: (ms) => delay(ms / speed, undefined, { signal }) },
    sleep: (ms, sleepSignal) => delay(ms / speed, undefined, { signal: sleepSignal }).then(() => undefined),
    speed,
  };
}

/** The loop's time for `check`/`watch`: the simulator's with --simulator-clock, else real time. */
export async function loopTimeFor(
  values: { 'simulator-clock'?: boolean | undefined; 'api-url'?: string | undefined },
  io: CliIo,
  simulated: string,
): Promise<LoopTime> {
  if (!values['simulator-clock']) return realLoopTime(io.signal);
  const time = await simulatorLoopTime(apiUrlFrom(io, values['api-url']), io.signal);
  io.stderr.write(
    `stopwatt: following the simulator's clock (x${time.speed}): ${simulated} are simulated time\n`,
  );
  return time;
}

interface ClockReading {
  /** The simulator's time in the reading (epoch ms). */
  readonly simulatedAt: number;
  /** The real time it stands for: the midpoint of the round trip (epoch ms). */
  readonly readAt: number;
  readonly speed: number;
  readonly roundTripMs: number;
}

/**
 * Reads the clock a few times and keeps the reading with the shortest round trip: the simulator
 * read its clock somewhere inside it, so the midpoint is off by at most half of it (the first
 * request also pays for opening the connection).
 */
async function bestClockReading(origin: string): Promise<ClockReading> {
  let best = await timedReading(origin);
  for (let more = 1; more < CLOCK_READINGS; more++) {
    const next = await timedReading(origin);
    if (next.roundTripMs < best.roundTripMs) best = next;
  }
  return best;
}

async function timedReading(origin: string): Promise<ClockReading> {
  const sentAt = Date.now();
  const started = performance.now();
  const { now, speed } = await readClock(origin);
  const roundTripMs = performance.now() - started;
  return { simulatedAt: Date.parse(now), readAt: sentAt + roundTripMs / 2, speed, roundTripMs };
}

async function readClock(origin: string): Promise<z.infer<typeof SIMULATOR_CLOCK>> {
  const label = `GET ${CLOCK_PATH}`;
  const response = await boundedFetch({
    url: `${origin}${CLOCK_PATH}`,
    method: 'GET',
    headers: { accept: 'application/json', 'user-agent': `stopwatt/${STOPWATT_VERSION}` },
    deadline: Date.now() + 5_000,
    label,
  });
  if (response.status !== 200) {
    throw new ConfigError(
      `${label}: HTTP ${response.status}: ${origin} is not \`stopwatt simulate\` (drop --simulator-clock for a real API)`,
    );
  }
  const parsed = SIMULATOR_CLOCK.safeParse(safeJson(response.text));
  if (!parsed.success) throw new InvalidResponseError(`${label}: not a simulator clock`, label);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
