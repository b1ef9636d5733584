import type { Hono } from 'hono';
import { dayBoundsUtc, localDateOf } from '../../core/consumer-price.ts';
import { applyOnce } from '../../core/once.ts';
import type { PriceSlot } from '../../core/prices.ts';
import type { Rules } from '../../core/rules.ts';
import { errorMessage } from '../../errors.ts';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { chart } from './chart.ts';
import { localTime, num } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { currentRules, openSession } from './now-model.ts';

export function mountPrices(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/prices', async (c) => {
    const warnings: string[] = [];
    const now = deps.now();
    const stored = await currentRules(deps, warnings);
    const session = await openSession(deps, now);
    const rules = stored ? applyOnce(stored, session?.sessionId ?? null).effective : null;
    const body = rules
      ? await pricesBody(deps, rules, now)
      : html`<p class="card warn">${warnings.join(' ')}</p>`;
    return c.html(page({ title: 'Prices', current: 'prices', charts: true, body }));
  });
}

async function pricesBody(deps: WebDeps, rules: Rules, now: Date): Promise<SafeHtml> {
  const source = deps.pricesFor(rules);
  const limit = rules.maxPricePerKwh;
  const limitText = limit === undefined ? 'No price limit is set.' : `Limit: ${num(limit, 2)} per kWh.`;
  if (!source) {
    return html`<h1>Prices</h1><section class="card"><p>The rules use the session's own price
(<code>priceSource: session</code>), which is known only while charging: see Now.</p><p class="muted">${limitText}</p></section>`;
  }
  let slots: PriceSlot[];
  try {
    slots = await source.forecast(dayBoundsUtc(localDateOf(now, rules.timezone), rules.timezone).start);
  } catch (error) {
    return html`<h1>Prices</h1><p class="card warn" id="price-error">Prices are unavailable: ${errorMessage(error)}</p>`;
  }
  const current = slots.find((s) => s.start <= now && now < s.end);
  const tz = rules.timezone;
  const spec = {
    timezone: tz,
    units: { price: 'per kWh' },
    x: [...slots.map((s) => s.start), ...(slots.length > 0 ? [slots[slots.length - 1]?.end ?? now] : [])],
    series: [
      {
        label: 'Price',
        scale: 'price',
        color: '#0a7d4d',
        step: true,
        values: closeSteps(slots.map((s) => s.perKwh)),
      },
      ...(limit === undefined
        ? []
        : [
            {
              label: 'Limit',
              scale: 'price',
              color: '#b3261e',
              dash: [6, 4],
              values: [...slots, null].map(() => limit),
            },
          ]),
    ],
  };
  const above = limit === undefined ? [] : slots.filter((s) => s.perKwh > limit && s.end > now);
  return html`<h1>Prices</h1><section class="card"><h2>Today and tomorrow (${rules.priceArea}, ${tz})</h2>
<p><span class="big">${current ? num(current.perKwh, 3) : '–'}</span> per kWh now</p>
${chart('price-chart', spec, html`<p class="muted">${slots.length} price slots (the chart needs JavaScript).</p>`)}
<p class="muted">${limitText} ${above[0] ? `Next above it: ${localTime(above[0].start, tz, true)}.` : ''}</p></section>
${slotTable(slots, now, tz)}`;
}

/** The last value repeated at the closing instant, so the final slot is drawn as a step too. */
function closeSteps(values: number[]): number[] {
  return values.length > 0 ? [...values, values[values.length - 1] ?? 0] : values;
}

function slotTable(slots: readonly PriceSlot[], now: Date, tz: string): SafeHtml {
  const hourly = slots.filter((s) => s.end > now && new Date(s.start).getUTCMinutes() === 0).slice(0, 12);
  return html`<section class="card"><h2>Next hours</h2><table><thead><tr><th>From</th><th class="n">Per kWh</th></tr></thead>
<tbody>${hourly.map((s) => html`<tr><td>${localTime(s.start, tz, true)}</td><td class="n">${num(s.perKwh, 3)}</td></tr>`)}</tbody></table></section>`;
}
