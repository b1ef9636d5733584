import type { Hono } from 'hono';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { ago, localTime, money, num } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { type NowModel, nowModel } from './now-model.ts';

/** The Now page reloads itself this often (a meta refresh: no script needed). */
export const NOW_REFRESH_S = 15;

export function mountNow(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/', async (c) => {
    const model = await nowModel(deps);
    const body = html`<h1>Now</h1>${sessionCard(model)}${predictionCard(model)}${warningsCard(model)}${tickCard(model)}`;
    return c.html(page({ title: 'Now', current: 'now', refreshS: NOW_REFRESH_S, body }));
  });
}

function sessionCard(m: NowModel): SafeHtml {
  const s = m.snapshot;
  if (!m.session || !s) {
    return html`<section class="card" id="session"><h2>No open session</h2>
<p class="muted">Plug in and start charging in the operator's app; stopwatt picks the session up on its next tick.</p></section>`;
  }
  const target = m.effective?.energyKwh;
  const tz = m.effective?.timezone ?? 'UTC';
  const bar =
    target !== undefined
      ? html`<progress id="energy-bar" max="${target}" value="${Math.min(s.energyKwh, target)}">${num(s.energyKwh)} of ${num(target)} kWh</progress>
<p class="muted">${num(s.energyKwh)} of ${num(target)} kWh target (${Math.floor((100 * s.energyKwh) / target)} %)</p>`
      : html`<p class="muted">No energy target set.</p>`;
  const status = s.status === 'active' ? (s.chargingState ?? 'active') : s.status;
  return html`<section class="card" id="session"><h2>Session <span id="session-id">${s.sessionId}</span> · ${status}</h2>
<div class="big"><span id="energy">${num(s.energyKwh)}</span> kWh</div>${bar}
<div class="grid">
<div><span>Power</span><b id="power">${s.powerKw === null ? '–' : `${num(s.powerKw, 1)} kW`}</b></div>
<div><span>Price now</span><b id="price">${m.price ? `${num(m.price.perKwh, 3)}/kWh` : '–'}</b></div>
<div><span>Cost so far</span><b id="cost">${money(s.cost, s.currency)}</b></div>
<div><span>Started</span><b>${s.startedAt ? localTime(s.startedAt, tz) : '–'}</b></div>
</div></section>`;
}

function predictionCard(m: NowModel): SafeHtml | string {
  const d = m.decision;
  const rules = m.effective;
  if (!d || !rules) return '';
  const tz = rules.timezone;
  const dry = rules.dryRun ? html` <span class="muted">(dry run: nothing is sent)</span>` : '';
  let text: SafeHtml;
  if (d.action === 'end') {
    text = html`<b>Ending now</b>: ${d.detail}. The check ends it on its next tick (within a minute).${dry}`;
  } else if (d.action === 'already-stopping') {
    text = html`<b>Stopping</b>: the session is ${d.status}.`;
  } else if (d.action === 'continue' && d.wake) {
    text = html`<b>Ends by the ${d.wake.reason} rule at ${localTime(d.wake.at, tz)}</b> <span class="muted">(${tz})</span>.${dry}`;
  } else if (d.action === 'continue') {
    const why = d.notes.length > 0 ? d.notes.join('; ') : 'no rule is set';
    text = html`<b>No rule will end it</b> as things stand: ${why}.`;
  } else {
    return '';
  }
  const bound = m.rules?.once?.sessionId;
  const once =
    m.rules?.once && (bound === undefined || bound === m.session?.sessionId)
      ? html`<p class="muted">A one-session override applies.</p>`
      : '';
  return html`<section class="card ok" id="prediction"><h2>What stopwatt will do</h2><p>${text}</p>${once}</section>`;
}

function warningsCard(m: NowModel): SafeHtml | string {
  if (m.warnings.length === 0) return '';
  return html`<section class="card warn" id="warnings"><h2>Warnings</h2><ul>${m.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`;
}

function tickCard(m: NowModel): SafeHtml | string {
  const t = m.tick;
  if (!t) return '';
  const tz = m.effective?.timezone ?? m.rules?.timezone ?? 'UTC';
  return html`<section class="card${t.error ? ' bad' : ''}" id="last-tick"><h2>Last tick</h2>
<p>${localTime(t.at, tz)} <span class="muted">(${ago(t.at, m.now)})</span>: <b>${t.action}</b></p>
<p class="muted">${t.detail}</p></section>`;
}
