import { parseArgs } from 'node:util';
import { formatLocalDateTime } from '../../lambdas/core/local-time.ts';
import type { Snapshot } from '../../lambdas/core/snapshot.ts';
import type { StopResult, TimelineEntry } from '../../lambdas/ports.ts';
import { columnChart } from '../cli/chart.ts';
import { displayTimeZone, TIMEZONE_OPTION } from '../cli/display-zone.ts';
import { csvLine, HISTORY_OPTIONS, historyLog } from '../cli/history-deps.ts';
import { type CliIo, EXIT_FAILED, EXIT_OK, reportError, UsageError } from '../cli/io.ts';

const OPTIONS = { ...HISTORY_OPTIONS, ...TIMEZONE_OPTION } as const;

export const LOG_HELP = `Usage: stopwatt log SESSION_ID [--account A] [--csv] [--timezone TZ] [--table T --region R]

Shows one session's timeline: every observation and decision, the stop claim and its result
(the energy estimated at /end, the learned stop latency it aimed earlier by, and how much the
charger delivered after it in its final meter value), with terminal charts of power, cumulative energy and price. --csv prints the observations (UTC).
Times are shown in --timezone, else the stored rules' time zone.`;

export async function logCommand(args: string[], io: CliIo): Promise<number> {
  try {
    let parsed: ReturnType<
      typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
    >;
    try {
      parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(`${LOG_HELP}\n`);
      return EXIT_OK;
    }
    const [sessionId, ...extra] = positionals;
    if (!sessionId || extra.length > 0)
      throw new UsageError('give exactly one SESSION_ID (see stopwatt sessions)');
    const timeZone = await displayTimeZone(io, values);
    const log = await historyLog(io, values);
    const timeline = await log.timeline(sessionId);
    if (timeline.length === 0) {
      io.stderr.write(`stopwatt: no records for session ${sessionId}\n`);
      return EXIT_FAILED;
    }
    io.stdout.write(values.csv ? timelineCsv(timeline) : timelineText(sessionId, timeline, timeZone));
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io);
  }
}

function observations(timeline: readonly TimelineEntry[]): Snapshot[] {
  return timeline.flatMap((e) => (e.kind === 'observation' ? [e.snapshot] : []));
}

export function timelineCsv(timeline: readonly TimelineEntry[]): string {
  const header = csvLine([
    'observed_at',
    'status',
    'charging_state',
    'energy_kwh',
    'power_kw',
    'cost',
    'price_per_kwh',
  ]);
  const rows = observations(timeline).map((s) =>
    csvLine([
      s.observedAt.toISOString(),
      s.status,
      s.chargingState,
      s.energyKwh.toFixed(3),
      s.powerKw === null ? null : s.powerKw.toFixed(3),
      s.cost === null ? null : s.cost.toFixed(2),
      s.sessionPricePerKwh === null ? null : s.sessionPricePerKwh.toFixed(4),
    ]),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

export function timelineText(
  sessionId: string,
  timeline: readonly TimelineEntry[],
  timeZone: string,
): string {
  const lines: string[] = [`Session ${sessionId}`];
  const obs = observations(timeline);
  if (obs.length > 1) {
    lines.push(
      '',
      ...columnChart(
        obs.map((s) => s.powerKw ?? 0),
        { label: 'power', unit: 'kW' },
      ),
      '',
      ...columnChart(
        obs.map((s) => s.energyKwh),
        { label: 'energy (cumulative)', unit: 'kWh' },
      ),
    );
    const prices = obs.map((s) => s.sessionPricePerKwh);
    if (prices.some((p) => p !== null)) {
      lines.push(
        '',
        ...columnChart(
          prices.map((p) => p ?? 0),
          { label: 'price', unit: `${obs.find((s) => s.currency)?.currency ?? ''}/kWh`.trim(), height: 4 },
        ),
      );
    }
  }
  lines.push('', `Timeline (${timeZone}):`, ...timelineLines(timeline, timeZone));
  return `${lines.join('\n')}\n`;
}

function timelineLines(timeline: readonly TimelineEntry[], timeZone: string): string[] {
  const lines: string[] = [];
  // The stop the final meter value is compared with.
  let stop: StopResult | null = null;
  for (const entry of timeline) {
    const at = formatLocalDateTime(entry.at, timeZone, { seconds: true });
    switch (entry.kind) {
      case 'observation': {
        const s = entry.snapshot;
        const final = s.status === 'finished' && stop ? afterStop(stop, s) : '';
        lines.push(
          `${at}  seen      ${s.status}/${s.chargingState ?? '-'}  ${s.energyKwh.toFixed(3)} kWh  ${s.powerKw?.toFixed(2) ?? '?'} kW${s.cost === null ? '' : `  ${s.cost.toFixed(2)} ${s.currency ?? ''}`}${
            s.sampledAt ? `  (meter at ${formatLocalDateTime(s.sampledAt, timeZone, { seconds: true })})` : ''
          }${s.doubts?.length ? `  doubtful: ${s.doubts.join('; ')}` : ''}${final}`,
        );
        break;
      }
      case 'decision': {
        const d = entry.decision;
        const text =
          d.action === 'end'
            ? `${d.dryRun ? 'dry run: would end' : 'end'} (${d.reason}): ${d.detail}`
            : d.action === 'continue'
              ? `continue: ${d.notes.join('; ') || 'no rule set'}`
              : d.action;
        lines.push(`${at}  decided   ${text}`);
        break;
      }
      case 'claim':
        lines.push(`${at}  claimed   stop attempt ${entry.claim.attempt} by ${entry.claim.by}`);
        break;
      case 'result':
        if (entry.result.outcome === 'accepted') stop = entry.result;
        lines.push(`${at}  stop      ${resultText(entry.result)}`);
        break;
    }
  }
  return lines;
}

/** `accepted (attempt 1); estimate at /end 20.002 kWh at 22 kW; aimed 3 s early (learned stop latency)` */
function resultText(result: StopResult): string {
  const parts = [`${result.outcome}${result.error ? `: ${result.error}` : ''} (attempt ${result.attempt})`];
  if (result.estimatedKwh !== undefined && result.powerKw !== undefined)
    parts.push(`estimate at /end ${result.estimatedKwh.toFixed(3)} kWh at ${result.powerKw.toFixed(2)} kW`);
  if (result.stopLatencyMs !== undefined)
    parts.push(`aimed ${(result.stopLatencyMs / 1000).toFixed(1)} s early (learned stop latency)`);
  return parts.join('; ');
}

/** `  final energy: 0.018 kWh after the estimate at /end (3.0 s at 22 kW)` */
function afterStop(stop: StopResult, finished: Snapshot): string {
  if (stop.estimatedKwh === undefined || stop.powerKw === undefined) return '';
  const afterKwh = finished.energyKwh - stop.estimatedKwh;
  const seconds = (afterKwh / stop.powerKw) * 3600;
  return `  final energy: ${afterKwh.toFixed(3)} kWh after the estimate at /end (${seconds.toFixed(1)} s at ${stop.powerKw.toFixed(2)} kW)`;
}
