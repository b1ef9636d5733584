import { formatLocalDateTime } from '../../lambdas/core/local-time.ts';
import type { SessionSummary } from '../../lambdas/ports.ts';
import { displayTimeZone, TIMEZONE_OPTION } from '../cli/display-zone.ts';
import { csvLine, HISTORY_OPTIONS, historyLog } from '../cli/history-deps.ts';
import { type CliIo, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { parseCommandArgs } from './check.ts';

export const SESSIONS_HELP = `Usage: stopwatt sessions [--account A] [--since YYYY-MM-DD] [--csv] [--timezone TZ] [--table T --region R]

Lists the sessions stopwatt has seen: start, end, kWh, cost, stop reason. --csv prints
comma-separated values (for reimbursement exports; times in UTC). Reads the local store, or
DynamoDB with --table. Times are shown in --timezone, else the stored rules' time zone.`;

const OPTIONS = { ...HISTORY_OPTIONS, ...TIMEZONE_OPTION, since: { type: 'string' } } as const;

export async function sessionsCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseCommandArgs(args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${SESSIONS_HELP}\n`);
      return EXIT_OK;
    }
    let since: Date | undefined;
    if (values.since !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(values.since) || Number.isNaN(Date.parse(values.since))) {
        throw new UsageError(`--since must be a date YYYY-MM-DD (got "${values.since}")`);
      }
      since = new Date(`${values.since}T00:00:00Z`);
    }
    const timeZone = await displayTimeZone(io, values);
    const log = await historyLog(io, values);
    const sessions = await log.listSessions({ since });
    io.stdout.write(values.csv ? sessionsCsv(sessions) : sessionsTable(sessions, timeZone));
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io);
  }
}

export function sessionsCsv(sessions: readonly SessionSummary[]): string {
  const header = csvLine([
    'session_id',
    'started_at',
    'ended_at',
    'energy_kwh',
    'cost',
    'currency',
    'stop_reason',
    'status',
  ]);
  const rows = sessions.map((s) =>
    csvLine([
      s.sessionId,
      s.startedAt?.toISOString() ?? null,
      s.endedAt?.toISOString() ?? null,
      s.energyKwh.toFixed(3),
      s.cost === null ? null : s.cost.toFixed(2),
      s.currency,
      s.stopReason,
      s.status,
    ]),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

export function sessionsTable(sessions: readonly SessionSummary[], timeZone: string): string {
  if (sessions.length === 0) return 'no sessions recorded yet\n';
  const rows = [
    ['session', `started (${timeZone})`, 'ended', 'kWh', 'cost', 'stopped by'],
    ...sessions.map((s) => [
      s.sessionId,
      s.startedAt ? formatLocalDateTime(s.startedAt, timeZone) : '?',
      s.endedAt ? formatLocalDateTime(s.endedAt, timeZone) : s.status,
      s.energyKwh.toFixed(2),
      s.cost === null ? '?' : `${s.cost.toFixed(2)} ${s.currency ?? ''}`.trim(),
      s.stopReason ? `stopwatt (${s.stopReason})` : '-',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
