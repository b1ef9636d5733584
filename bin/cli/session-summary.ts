import type { SessionSummary } from '../../lambdas/ports.ts';

/**
 * The end-of-session summary `watch` and the `npm start` demo print, from the session log:
 * what ended the session (if stopwatt did), the energy and the cost at the last reading.
 */
export function summaryLines(
  summary: SessionSummary | undefined,
  sessionId: string,
  source: string,
): string[] {
  const reason = summary?.stopReason
    ? `${summary.stopReason}${summary.stopDetail ? ` (${summary.stopDetail})` : ''}`
    : 'none (stopwatt did not end it)';
  const cost = summary?.cost == null ? '?' : `${summary.cost.toFixed(2)} ${summary.currency ?? ''}`.trim();
  return [
    '',
    `Summary (read back from ${source}):`,
    `  session       ${sessionId}`,
    `  stop reason   ${reason}`,
    `  energy        ${summary ? summary.energyKwh.toFixed(3) : '?'} kWh at the last reading`,
    `  cost          ${cost}`,
  ];
}
