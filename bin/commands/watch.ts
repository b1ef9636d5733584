import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '../../lambdas/adapters/system-clock.ts';
import { formatLocalTime } from '../../lambdas/core/local-time.ts';
import { ApiError, ApiUnreachableError, errorMessage, redact } from '../../lambdas/errors.ts';
import type { Clock } from '../../lambdas/ports.ts';
import type { CheckOutcome } from '../../lambdas/run-check.ts';
import { type CliIo, EXIT_OK, reportError, secretsFrom, UsageError } from '../cli/io.ts';
import { storeDir } from '../cli/local-deps.ts';
import { RULE_FLAGS_HELP } from '../cli/rule-flags.ts';
import { summaryLines } from '../cli/session-summary.ts';
import {
  CHECK_OPTIONS,
  humanOutcome,
  type PreparedCheck,
  parseCommandArgs,
  parseHorizon,
  prepareCheck,
} from './check.ts';

export const WATCH_HELP = `Usage: stopwatt watch [options]

Runs check every --interval seconds with a live progress line (energy vs target, power, price)
until the session ends, then prints a summary. Ctrl-C stops watching (the session keeps charging).
Between polls, a stop predicted before the next poll is waited for and sent on time.

${RULE_FLAGS_HELP}

Options:
  --interval SECONDS    time between checks (default 60)
  --api-url URL         tenant root (default: STOPWATT_API_URL)
  --account NAME        account name in the store (default: local)
  --store DIR           local store directory (default: STOPWATT_STORE or ./.stopwatt)
  --table NAME          use the deployed table and SSM parameters, as check --table does
  --region R            AWS region for --table (default: AWS_REGION)
  --horizon SECONDS     wait in-process up to this long for a predicted stop (default: --interval)
  -h, --help            show this help`;

// Progress lines only: --json (one object per run) belongs to check, so watch rejects it.
const { json: _json, ...WATCH_CHECK_OPTIONS } = CHECK_OPTIONS;
const WATCH_OPTIONS = { ...WATCH_CHECK_OPTIONS, interval: { type: 'string' } } as const;

export interface WatchOptions {
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly energyTargetKwh?: number | undefined;
  /** The rules' time zone: progress times are shown on its wall clock. @default 'UTC' */
  readonly timeZone?: string | undefined;
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
    const clock: Clock = {
      now: () => systemClock.now(),
      sleep: (ms) => delay(ms, undefined, { signal: io.signal }),
    };
    const prepared = await prepareCheck(values, io, { horizonMs, clock, followStops: true });
    secrets = prepared.secrets;
    if (!prepared.hasRule)
      io.stderr.write('stopwatt: no rule is set, so nothing will be ended (see --help)\n');
    // The target from the effective rules (flags, rules file or stored rules), for the progress bar.
    const energyTargetKwh = prepared.rules.once?.energyKwh ?? prepared.rules.energyKwh;
    const timeZone = prepared.rules.timezone;
    const last = await watchLoop(prepared, io, { intervalMs, clock, energyTargetKwh, timeZone });
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
  let seenSession = false;
  let stopping = false;
  let last: CheckOutcome | null = null;
  while (!io.signal?.aborted) {
    let outcome: CheckOutcome;
    try {
      outcome = await prepared.run();
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
    if (outcome.action === 'none') {
      if (seenSession) {
        io.stdout.write(`${live ? '\n' : ''}session ${last?.sessionId ?? ''} has ended\n`);
        return last;
      }
      io.stdout.write(`${stamp(options)}  no active session; waiting for one (Ctrl-C to stop)\n`);
    } else {
      seenSession = true;
      last = outcome;
      const line = progressLine(outcome, options);
      if (outcome.action === 'end' || outcome.action === 'dry-run' || outcome.action === 'already-stopping') {
        io.stdout.write(`${live ? '\r\x1b[2K' : ''}${line}\n`);
        io.stdout.write(`${humanOutcome(outcome)}\n`);
        if (outcome.action === 'dry-run') return outcome;
        if (outcome.snapshot?.status === 'finished') return outcome;
        stopping = true;
      } else {
        io.stdout.write(live ? `\r\x1b[2K${line}` : `${line}\n`);
      }
    }
    // After a stop, poll faster until the charger confirms.
    const wait = stopping ? Math.min(options.intervalMs, 5_000) : options.intervalMs;
    await sleepOrAbort(sleep, wait, io.signal);
  }
  if (live) io.stdout.write('\n');
  io.stdout.write(
    stopping
      ? 'stopped watching; the stop was already sent\n'
      : 'stopped watching; the session was not touched\n',
  );
  return last;
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
