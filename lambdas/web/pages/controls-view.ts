import type { ControlChange } from '../ports.ts';
import { localTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export function controlsPage(v: {
  csrf: string;
  sessionId: string | null;
  current: string | null;
  timezone: string;
  changes: readonly ControlChange[];
  notice: string | null;
}): string {
  const target = v.sessionId ? html`session <b>${v.sessionId}</b>` : html`the next session`;
  const body = html`<h1>Controls</h1>${v.notice ? html`<p class="card ok" id="notice">${v.notice}</p>` : ''}
<section class="card"><h2>This session only</h2><p class="muted">Applies to ${target}; the standing rules come back after it.</p>
<p id="current-once">${v.current ? html`Current override: <code>${v.current}</code>` : 'No override set.'}</p>
<form method="post" action="/controls/once">${csrfField(v.csrf)}
<label for="energyKwh">Energy target (kWh)</label><input id="energyKwh" name="energyKwh" inputmode="decimal" placeholder="e.g. 30">
<label for="maxPricePerKwh">Max price (per kWh)</label><input id="maxPricePerKwh" name="maxPricePerKwh" inputmode="decimal" placeholder="e.g. 2.50">
<label for="stopBy">Stop by (HH:MM, ${v.timezone})</label><input id="stopBy" name="stopBy" placeholder="e.g. 07:00">
<button type="submit" id="save-once">Save for this session</button></form></section>
<section class="card"><form method="post" action="/controls/leave-alone">${csrfField(v.csrf)}
<button type="submit" class="secondary" id="leave-alone">Leave this session alone</button></form>
<form method="post" action="/controls/clear">${csrfField(v.csrf)}
<button type="submit" class="secondary" id="clear-once">Clear the override</button></form>
${v.sessionId ? html`<a class="button danger" id="stop-now" href="/controls/stop">Stop now…</a>` : ''}</section>
${changesCard(v.changes, v.timezone)}`;
  return page({ title: 'Controls', current: 'controls', body });
}

function changesCard(changes: readonly ControlChange[], tz: string): SafeHtml | string {
  if (changes.length === 0) return '';
  return html`<section class="card"><h2>Recent changes</h2><ul class="muted">${changes.map(
    (c) => html`<li>${localTime(c.at, tz, true)}: ${c.action} ${c.detail}</li>`,
  )}</ul></section>`;
}

export function stopConfirmPage(v: { csrf: string; sessionId: string | null }): string {
  const body = v.sessionId
    ? html`<h1>Stop now?</h1><section class="card bad"><p>End session <b>${v.sessionId}</b> now? stopwatt ends it on its next tick, within a minute.</p>
<form method="post" action="/controls/stop">${csrfField(v.csrf)}<input type="hidden" name="sessionId" value="${v.sessionId}">
<button type="submit" class="danger" id="confirm-stop">Yes, end this session</button></form>
<a class="button secondary" href="/controls">Cancel</a></section>`
    : html`<h1>Stop now</h1><p class="card">There is no open session.</p>`;
  return page({ title: 'Stop now', current: 'controls', body });
}

export function messagePage(title: string, message: string): string {
  return page({
    title,
    current: 'controls',
    body: html`<h1>${title}</h1><p class="card warn" id="message">${message}</p><a class="button secondary" href="/controls">Back</a>`,
  });
}
