import { setTimeout as delay } from 'node:timers/promises';
import { cadenceRead } from '../../lambdas/composition/cadence.ts';
import { DEFAULT_IDLE_INTERVAL_MINUTES } from '../../lambdas/contract.ts';
import { formatLocalTime } from '../../lambdas/core/local-time.ts';
import { ApiError, ApiUnreachableError, errorMessage, redact } from '../../lambdas/errors.ts';
import type { CadenceState, Clock } from '../../lambdas/ports.ts';
import type { CheckOutcome } from '../../lambdas/run-check.ts';
import { type CliIo, EXIT_OK, reportError, secretsFrom, UsageError } from '../cli/io.ts';
import { storeDir } from '../cli/local-deps.ts';
import { summaryLines } from '../cli/session-summary.ts';
import { loopTimeFor, SIMULATOR_CLOCK_OPTION } from '../cli/simulator-clock.ts';
import {
  CHECK_OPTIONS,
  humanOutcome,
  type PreparedCheck,
  parseCommandArgs,
  parseHorizon,
  prepareCheck,
} from './check.ts';
import { WATCH_HELP } from './watch-help.ts';

// Progress lines only: --json (one object per run) belongs to check, so watch rejects it.
const { json: _json, ...WATCH_CHECK_OPTIONS } = CHECK_OPTIONS;
const WATCH_OPTIONS = {
  ...WATCH_CHECK_OPTIONS,
  ...SIMULATOR_CLOCK_OPTION,
  interval: { type: 'string' },
} as const;

export interface WatchOptions {
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly energyTargetKwh?: number | undefined;
  /** The rules' time zone: progress times are shown on its wall clock. @default 'UTC' */
  readonly timeZone?: string | undefined;
  /**
   * Time between reads while no session is open (the adaptive cadence; never shorter than the
   * interval). Absent or 0: every interval, looking everywhere.
   */
  readonly idleIntervalMs?: number | undefined;
  /** Real time to sleep between polls for `clock` time `ms` (the demo runs on a faster clock). */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

export async function watchCommand(args: string[], io: CliIo): Promise<number> {
  let secrets: readonly string[] = secretsFrom(io.env);
  try {
    const { values } = parseCommandArgs(args, WATCH_OPTIONS);
    if (values.help) {
      io.stdout.write(`${WATCH_HELP}\n`);
      return EXIT_OK;
    }
    const intervalMs = parseHorizon(values.interval ?? '60', 60, 'interval');
    if (intervalMs < 5_000)
      throw new UsageError(`--interval must be at least 5 seconds (got ${values.interval})`);
    const horizonMs = parseHorizon(values.horizon, intervalMs / 1000);
    // Ctrl-C cuts an in-tick wait short, so a stop predicted before it is never sent after it.
    const { clock, sleep } = await loopTimeFor(values, io, 'times, --interval and --horizon');
    const prepared = await prepareCheck(values, io, { horizonMs, clock, followStops: true });
    secrets = prepared.secrets;
    if (!prepared.hasRule)
      io.stderr.write('stopwatt: no rule is set, so nothing will be ended (see --help)\n');
    // The target from the effective rules (flags, rules file or stored rules), for the progress bar.
    const energyTargetKwh = prepared.rules.once?.energyKwh ?? prepared.rules.energyKwh;
    const timeZone = prepared.rules.timezone;
    const idleIntervalMs = (prepared.rules.idleIntervalMinutes ?? DEFAULT_IDLE_INTERVAL_MINUTES) * 60_000;
    const last = await watchLoop(prepared, io, {
      intervalMs,
      idleIntervalMs,
      clock,
      energyTargetKwh,
      timeZone,
      sleep,
    });
    if (last?.sessionId && !io.signal?.aborted && prepared.log) {
      const summary = (await prepared.log.listSessions()).find((s) => s.sessionId === last.sessionId);
      const source = values.table
        ? `DynamoDB table ${values.table}`
        : storeDir(io, values.store as string | undefined);
      io.stdout.write(`${summaryLines(summary, last.sessionId, source).join('\n')}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, secrets);
  }
}

/**
 * Polls until the session has ended (or Ctrl-C). Transient API failures are reported and
 * retried at the next poll; authentication and configuration errors end the watch.
 */
export async function watchLoop(
  prepared: PreparedCheck,
  io: CliIo,
  options: WatchOptions,
): Promise<CheckOutcome | null> {
  const sleep =
    options.sleep ??
    ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }).then(() => undefined));
  const live = io.stdout.isTTY === true;
  const cadence = watchCadence(prepared, options);
  let stopping = false;
  let last: CheckOutcome | null = null;
  while (!io.signal?.aborted) {
    const tickStartedMs = options.clock.now().getTime();
    let outcome: CheckOutcome;
    try {
      outcome = await cadence.read();
    } catch (error) {
      // Ctrl-C during an in-tick wait: the tick stopped before it re-read or sent anything.
      if (io.signal?.aborted && error instanceof Error && error.name === 'AbortError') break;
      if (!isTransient(error)) throw error;
      io.stderr.write(
        `${live ? '\n' : ''}stopwatt: ${redact(errorMessage(error), prepared.secrets)}; retrying\n`,
      );
      await sleepOrAbort(sleep, options.intervalMs, io.signal);
      continue;
    }
    for (const warning of prepared.warnings.splice(0))
      io.stderr.write(`stopwatt: warning: ${redact(warning, prepared.secrets)}\n`);
    const idleWaitMs = cadence.idleWaitMs();
    const shown = show(outcome, last, { io, live, options, idleWaitMs });
    if (shown === 'over') return outcome.action === 'none' ? last : outcome;
    if (shown === 'stopping') stopping = true;
    if (outcome.action !== 'none') last = outcome;
    // Polls start one interval apart, as the deployed schedule's: a tick's own time (and its wait
    // for a predicted stop) is not added, so the horizon reaches the next read. After a stop, poll
    // faster until the charger confirms; without a session, at the idle cadence.
    const every = stopping ? Math.min(options.intervalMs, 5_000) : (idleWaitMs ?? options.intervalMs);
    const elapsedMs = options.clock.now().getTime() - tickStartedMs;
    await sleepOrAbort(sleep, Math.max(0, every - elapsedMs), io.signal);
  }
  if (live) io.stdout.write('\n');
  io.stdout.write(
    stopping
      ? 'stopped watching; the stop was already sent\n'
      : 'stopped watching; the session was not touched\n',
  );
  return last;
}

/**
 * The adaptive cadence in memory: with an idle interval, a read while no session is open looks
 * only where the account's sessions are found (one request) and the next one waits the interval.
 */
function watchCadence(prepared: PreparedCheck, options: WatchOptions) {
  const idleMs = options.idleIntervalMs ?? 0;
  // The first read looks everywhere, as check does: the driver may be at a public charger.
  let state: CadenceState = { open: true, homeChargers: null, learnedAt: null };
  return {
    read: async (): Promise<CheckOutcome> => {
      if (idleMs <= 0) return prepared.run();
      const read = cadenceRead(state, prepared.rules, options.clock.now());
      // A failed read looks everywhere again next time.
      state = { ...state, open: true };
      const outcome = await prepared.run(read.lookup);
      state = read.after(outcome);
      return outcome;
    },
    /** How long to wait before the next read when no session is open, or null: a poll interval. */
    idleWaitMs: (): number | null =>
      idleMs > 0 && !state.open ? Math.max(options.intervalMs, idleMs) : null,
  };
}

/** Prints one outcome: `over` when the watch ends with it, `stopping` once a stop was sent or seen. */
function show(
  outcome: CheckOutcome,
  last: CheckOutcome | null,
  context: { io: CliIo; live: boolean; options: WatchOptions; idleWaitMs: number | null },
): 'over' | 'stopping' | 'going' {
  const { io, live, options } = context;
  if (outcome.action === 'none') {
    if (last) {
      io.stdout.write(`${live ? '\n' : ''}session ${last.sessionId ?? ''} has ended\n`);
      return 'over';
    }
    const next =
      context.idleWaitMs === null
        ? 'waiting for one'
        : `next look in ${Math.round(context.idleWaitMs / 60_000)} min`;
    io.stdout.write(`${stamp(options)}  no active session; ${next} (Ctrl-C to stop)\n`);
    return 'going';
  }
  const line = progressLine(outcome, options);
  if (outcome.action === 'end' || outcome.action === 'dry-run' || outcome.action === 'already-stopping') {
    io.stdout.write(`${live ? '\r\x1b[2K' : ''}${line}\n`);
    io.stdout.write(`${humanOutcome(outcome)}\n`);
    if (outcome.action === 'dry-run' || outcome.snapshot?.status === 'finished') return 'over';
    return 'stopping';
  }
  io.stdout.write(live ? `\r\x1b[2K${line}` : `${line}\n`);
  return 'going';
}

/** Worth another poll: the API was unreachable, overloaded or rate limiting. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof ApiUnreachableError ||
    (error instanceof ApiError && (error.status === 429 || error.status >= 500))
  );
}

async function sleepOrAbort(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
}

function stamp(options: Pick<WatchOptions, 'clock' | 'timeZone'>): string {
  // HH:MM:SS on the rules' wall clock; the zone is named once per line, after `next:`.
  return formatLocalTime(options.clock.now(), options.timeZone ?? 'UTC', { seconds: true }).slice(0, 8);
}

export function progressLine(
  outcome: CheckOutcome,
  options: Pick<WatchOptions, 'clock' | 'energyTargetKwh' | 'timeZone'>,
): string {
  const parts = [stamp(options), `session ${outcome.sessionId ?? '-'}`];
  const s = outcome.snapshot;
  if (s) {
    const target = options.energyTargetKwh;
    if (target !== undefined && target > 0) {
      const share = Math.min(1, s.energyKwh / target);
      const filled = Math.round(share * 20);
      parts.push(
        `${s.energyKwh.toFixed(2)}/${target.toFixed(2)} kWh [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${Math.floor(share * 100)}%`,
      );
    } else {
      parts.push(`${s.energyKwh.toFixed(2)} kWh`);
    }
    parts.push(s.powerKw === null ? '? kW' : `${s.powerKw.toFixed(1)} kW`);
    if (outcome.pricePerKwh !== null)
      parts.push(`${outcome.pricePerKwh.toFixed(3)} ${s.currency ?? ''}/kWh`.replace(' /', '/'));
    if (s.cost !== null) parts.push(`cost ${s.cost.toFixed(2)} ${s.currency ?? ''}`.trim());
    parts.push(s.status === 'active' ? (s.chargingState ?? 'active') : s.status);
  }
  if (outcome.decision.action === 'continue' && outcome.decision.wake) {
    parts.push(
      `next: ${outcome.decision.wake.reason} at ${formatLocalTime(outcome.decision.wake.at, options.timeZone ?? 'UTC', { seconds: true })}`,
    );
  }
  return parts.join('  ');
}
