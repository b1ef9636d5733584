import { BUNDLE_BEFORE, type BundleReport } from './bundle.ts';
import type { ColdStartReport } from './cold-start.ts';
import type { CostEstimate } from './cost.ts';
import type { BoundaryRow, EnergyBlock, EnergyRow } from './experiments.ts';
import type { ParameterReadsReport } from './parameter-reads.ts';
import { fixed, formatTable, ratio } from './table.ts';

/** Baseline vs stopwatt: how many times larger the baseline's overshoot and call rate are. */
export interface VsStopwatt {
  readonly overshootMedian: number;
  readonly overshootP95: number;
  readonly medianAbs: number;
  readonly calls: number;
}

export function vsStopwatt(row: EnergyRow, stopwatt: EnergyRow): VsStopwatt {
  const div = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  return {
    overshootMedian: div(row.overshootKwh.median, stopwatt.overshootKwh.median),
    overshootP95: div(row.overshootKwh.p95, stopwatt.overshootKwh.p95),
    medianAbs: div(row.medianAbsKwh, stopwatt.medianAbsKwh),
    calls: div(row.stats.callsPerChargedHour, stopwatt.stats.callsPerChargedHour),
  };
}

/** `60 s`, `1 kWh` or `continuous`: how often the charger sends meter values. */
export function meterLabel(meter: EnergyBlock['meter']): string {
  if (meter === 'continuous') return 'continuous';
  return 'everyS' in meter ? `${meter.everyS} s` : `${meter.perKwh} kWh`;
}

export function energyTable(blocks: readonly EnergyBlock[]): string {
  const rows: string[][] = [];
  for (const block of blocks) {
    const stopwatt = block.rows[0];
    for (const row of block.rows) {
      const base = row === stopwatt || !stopwatt;
      rows.push([
        `${block.powerKw} kW`,
        meterLabel(block.meter),
        row.strategy,
        fixed(row.overshootKwh.median, 4),
        fixed(row.overshootKwh.p95, 4),
        fixed(row.overshootKwh.max, 4),
        fixed(row.overshootKwh.min, 4),
        fixed(row.medianAbsKwh, 4),
        fixed(row.atEndKwh.median, 4),
        fixed(row.lateSeconds.median, 1),
        fixed(row.stats.callsPerChargedHour, 2),
        fixed(row.stats.callsAfterEndPerSession, 2),
        base ? '-' : ratio(row.medianAbsKwh, stopwatt.medianAbsKwh),
        base ? '-' : ratio(row.stats.callsPerChargedHour, stopwatt.stats.callsPerChargedHour, 3),
        String(row.stats.notEnded + row.stats.duplicateEnds),
      ]);
    }
  }
  return formatTable(
    [
      'power',
      'meter',
      'strategy',
      'over med kWh',
      'p95',
      'max',
      'min',
      'med |over|',
      'at /end med',
      'late med s',
      'calls/chg h',
      'after /end',
      '|over|/sw',
      'calls/sw',
      'bad',
    ],
    rows,
  );
}

export function boundaryTable(blocks: readonly { rule: string; rows: readonly BoundaryRow[] }[]): string {
  const rows: string[][] = [];
  for (const block of blocks) {
    for (const row of block.rows) {
      rows.push([
        block.rule,
        row.strategy,
        fixed(row.latenessSeconds.median, 2),
        fixed(row.latenessSeconds.p95, 2),
        fixed(row.latenessSeconds.max, 2),
        fixed(row.stats.callsPerChargedHour, 2),
        String(row.stats.waits),
        String(row.stats.waitsWithoutStop),
        String(row.stats.notEnded + row.stats.duplicateEnds),
      ]);
    }
  }
  return formatTable(
    ['rule', 'strategy', 'late med s', 'p95 s', 'max s', 'calls/chg h', 'waits', 'waits w/o stop', 'bad'],
    rows,
  );
}

/** Issue 13's targets for the check bundle (300 KB as 300,000 B). */
export const BUNDLE_TARGETS = { bytes: 300_000, initMedianMs: 150 } as const;

export function bundleTable(
  bundle: BundleReport,
  cold: readonly ColdStartReport[],
  nodeAlone: ColdStartReport,
): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const before = BUNDLE_BEFORE;
  const holds = (ok: boolean) => (ok ? 'holds' : 'MISSED');
  const lines = [
    ['bundle (minified, index.mjs)', `${bundle.bytes} B`, kb(bundle.bytes)],
    [`  before (${before.source})`, `${before.bytes} B`, `now ${ratio(bundle.bytes, before.bytes, 2)} of it`],
    [`  target <= ${BUNDLE_TARGETS.bytes} B`, holds(bundle.bytes <= BUNDLE_TARGETS.bytes), ''],
    ['bundle gzip -9', `${bundle.gzipBytes} B`, kb(bundle.gzipBytes)],
    ['source map (index.mjs.map)', `${bundle.sourceMapBytes} B`, kb(bundle.sourceMapBytes)],
    ['  of which zod locales', `${bundle.zodLocaleBytes} B`, kb(bundle.zodLocaleBytes)],
    ...bundle.topPackages.map((p) => [`  ${p.name}`, `${p.bytes} B`, kb(p.bytes)]),
  ];
  for (const c of cold) {
    const label = `init ${c.nodeVersion}${c.nodeOptions ? ` ${c.nodeOptions}` : ''}`;
    lines.push([
      `${label}: start->import done`,
      `median ${fixed(c.totalMs.median, 0)} ms`,
      `p90 ${fixed(c.totalMs.p90, 0)} ms`,
    ]);
    lines.push([
      `${label}: import() only`,
      `median ${fixed(c.importMs.median, 0)} ms`,
      `p90 ${fixed(c.importMs.p90, 0)} ms`,
    ]);
    lines.push([
      `  target median <= ${BUNDLE_TARGETS.initMedianMs} ms: start->import done / import() only`,
      `${holds(c.totalMs.median <= BUNDLE_TARGETS.initMedianMs)} / ${holds(c.importMs.median <= BUNDLE_TARGETS.initMedianMs)}`,
      `before: median ${before.initMedianMs} ms (issue 13)`,
    ]);
  }
  lines.push([
    'node alone (empty module): start->import done',
    `median ${fixed(nodeAlone.totalMs.median, 0)} ms`,
    `p90 ${fixed(nodeAlone.totalMs.p90, 0)} ms`,
  ]);
  return formatTable(['what', 'value', ''], lines);
}

export function costTable(typical: CostEstimate, upper: CostEstimate): string {
  const money = (n: number) => `$${n.toFixed(n < 0.01 && n > 0 ? 5 : 3)}`;
  const qty = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
  const rows = typical.lines.map((l, i) => {
    const u = upper.lines[i];
    return [
      l.item,
      `${qty(l.quantity)} ${l.unit}`,
      money(l.cost),
      money(l.costAfterFreeTier),
      u ? money(u.cost) : '-',
    ];
  });
  rows.push(['TOTAL', '', money(typical.total), money(typical.totalAfterFreeTier), money(upper.total)]);
  return formatTable(
    ['item (per month)', 'quantity (typical)', 'typical', 'typical, free tier', 'all ticks in session'],
    rows,
  );
}

export function parameterReadsTable(report: ParameterReadsReport): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const rows = [report.before, report.tokenMode, report.loginMode].map((row) => [
    row.label,
    count(row.decrypts),
    count(row.tokenVersionChecks),
    count(row.getParameterCalls),
  ]);
  const target = report.tokenMode.decrypts <= 1_000 && report.loginMode.decrypts <= 1_000;
  rows.push([
    `decrypts after / before: ${ratio(report.tokenMode.decrypts, report.before.decrypts, 3)}`,
    `<= 1,000: ${target ? 'yes' : 'NO'}`,
    '',
    '',
  ]);
  return formatTable(['per month', 'KMS decrypts', 'token version checks', 'GetParameter calls'], rows);
}
