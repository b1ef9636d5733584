import type { Hono } from 'hono';
import type { Rules } from '../../core/rules.ts';
import type { SessionSummary, TimelineEntry } from '../../ports.ts';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { chart } from './chart.ts';
import { localTime, money, num } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { currentRules } from './now-model.ts';

export function mountHistory(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/history', async (c) => {
    const tz = await timeZone(deps);
    const sessions = sorted(await deps.log.listSessions());
    const rows = sessions.map(
      (
        s,
      ) => html`<tr><td><a href="/history/${encodeURIComponent(s.sessionId)}">${s.startedAt ? localTime(s.startedAt, tz, true) : s.sessionId}</a></td>
<td class="n">${num(s.energyKwh)}</td><td class="n">${money(s.cost, s.currency)}</td><td>${s.stopReason ?? (s.status === 'finished' ? 'unplugged' : s.status)}</td></tr>`,
    );
    const body = html`<h1>History</h1><section class="card"><table id="sessions"><thead><tr><th>Started (${tz})</th><th class="n">kWh</th><th class="n">Cost</th><th>Stop</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="4" class="muted">No sessions yet.</td></tr>`}</tbody></table>
<a class="button secondary" href="/history.csv" download>Download CSV</a></section>`;
    return c.html(page({ title: 'History', current: 'history', body }));
  });
  app.get('/history.csv', async (c) => {
    const sessions = sorted(await deps.log.listSessions());
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="stopwatt-sessions.csv"');
    return c.body(toCsv(sessions));
  });
  app.get('/history/:id', async (c) => {
    const id = c.req.param('id');
    const [tz, summary, timeline] = await Promise.all([
      timeZone(deps),
      deps.log.listSessions().then((all) => all.find((s) => s.sessionId === id) ?? null),
      deps.log.timeline(id),
    ]);
    if (!summary && timeline.length === 0) return c.text('no such session', 404);
    const body = html`<h1>Session ${id}</h1>${summaryCard(summary, tz)}${timelineChart(timeline, tz)}`;
    return c.html(page({ title: `Session ${id}`, current: 'history', charts: true, body }));
  });
}

async function timeZone(deps: WebDeps): Promise<string> {
  const rules: Rules | null = await currentRules(deps, []);
  return rules?.timezone ?? 'Europe/Copenhagen';
}

function sorted(sessions: SessionSummary[]): SessionSummary[] {
  const at = (s: SessionSummary) => (s.startedAt ?? s.lastSeenAt).getTime();
  return [...sessions].sort((a, b) => at(b) - at(a));
}

function summaryCard(s: SessionSummary | null, tz: string): SafeHtml | string {
  if (!s) return '';
  return html`<section class="card"><div class="grid">
<div><span>Started</span><b>${s.startedAt ? localTime(s.startedAt, tz, true) : '–'}</b></div>
<div><span>Ended</span><b>${s.endedAt ? localTime(s.endedAt, tz, true) : s.status}</b></div>
<div><span>Energy</span><b>${num(s.energyKwh)} kWh</b></div><div><span>Cost</span><b>${money(s.cost, s.currency)}</b></div>
</div><p class="muted" id="stop-reason">${s.stopReason ? `Stopped by the ${s.stopReason} rule: ${s.stopDetail ?? ''}` : 'Not stopped by stopwatt.'}</p></section>`;
}

/** Power, energy and price over the session, with the decisions that ended (or would end) it. */
function timelineChart(timeline: readonly TimelineEntry[], tz: string): SafeHtml {
  const points = timeline.flatMap((e) => (e.kind === 'observation' ? [e.snapshot] : []));
  const stops = new Map(
    timeline.flatMap((e) =>
      e.kind === 'decision' && e.decision.action === 'end' ? [[e.at.getTime(), e]] : [],
    ),
  );
  const x = points.map((p) => p.observedAt);
  const spec = {
    timezone: tz,
    units: { energy: 'kWh', power: 'kW' },
    x,
    series: [
      { label: 'Energy kWh', scale: 'energy', color: '#0a7d4d', values: points.map((p) => p.energyKwh) },
      { label: 'Power kW', scale: 'power', color: '#3867d6', values: points.map((p) => p.powerKw) },
      {
        label: 'Price/kWh',
        scale: 'power',
        color: '#b35c00',
        dash: [4, 3],
        values: points.map((p) => p.sessionPricePerKwh),
      },
      {
        label: 'Decision to end',
        scale: 'energy',
        color: '#b3261e',
        points: true,
        values: points.map((p) => (stops.has(p.observedAt.getTime()) ? p.energyKwh : null)),
      },
    ],
  };
  const decisions = [...stops.values()].map(
    (e) => html`<li>${localTime(e.at, tz)}: ${e.decision.action === 'end' ? e.decision.detail : ''}</li>`,
  );
  return html`<section class="card"><h2>Timeline</h2>${chart('timeline-chart', spec, html`<p class="muted">${points.length} readings (the chart needs JavaScript).</p>`)}
<ul class="muted">${decisions}</ul></section>`;
}

const csvCell = (v: string | number | null) => {
  const text = v === null ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function toCsv(sessions: readonly SessionSummary[]): string {
  const header = 'session_id,started_at,ended_at,status,energy_kwh,cost,currency,stop_reason,stop_detail';
  const rows = sessions.map((s) =>
    [
      s.sessionId,
      s.startedAt?.toISOString() ?? null,
      s.endedAt?.toISOString() ?? null,
      s.status,
      s.energyKwh,
      s.cost,
      s.currency,
      s.stopReason,
      s.stopDetail,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}
