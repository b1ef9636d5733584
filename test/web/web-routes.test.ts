import { afterEach, describe, expect, it } from 'vitest';
import { parseRules } from '../../lambdas/config.ts';
import type { Snapshot } from '../../lambdas/core/snapshot.ts';
import type { PriceSource } from '../../lambdas/ports.ts';
import { tempDir } from '../support/temp-dir.ts';
import { csrfFrom, type WebFixture, webFixture } from './web-support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const NOW = new Date('2026-03-02T10:00:00Z');

function snapshot(energyKwh: number, at: Date): Snapshot {
  return {
    sessionId: 'S1',
    status: 'active',
    chargingState: 'charging',
    observedAt: at,
    startedAt: new Date('2026-03-02T09:00:00Z'),
    energyKwh,
    powerKw: 10,
    cost: 12.5,
    currency: 'DKK',
    sessionPricePerKwh: 2.1,
  };
}

/** A web app whose log holds one open session S1 at 8 kWh, 10 kW, and a signed-in device. */
async function withSession(overrides: Parameters<typeof webFixture>[1] = {}) {
  const web = webFixture(await tempDir('web-routes-', cleanups), overrides);
  const s = snapshot(8, new Date(NOW.getTime() - 30_000));
  await web.deps.log.recordObservation(s);
  await web.deps.log.putSummary({
    sessionId: 'S1',
    startedAt: s.startedAt,
    lastSeenAt: s.observedAt,
    endedAt: null,
    status: 'active',
    energyKwh: 8,
    cost: 12.5,
    currency: 'DKK',
    stopReason: null,
    stopDetail: null,
  });
  const cookie = await web.signIn();
  return { web, cookie };
}

async function post(web: WebFixture, cookie: string, path: string, form: Record<string, string>) {
  const csrf = csrfFrom(await (await web.app.request('/controls', { headers: { cookie } })).text());
  return web.app.request(path, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ csrf, ...form }),
  });
}

describe('Now', () => {
  it('shows the open session, its bar against the target and when the energy rule will end it', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    await web.deps.rules.put(parseRules({ energyKwh: 10, timezone: 'Europe/Copenhagen' }));
    // Act
    const response = await web.app.request('/', { headers: { cookie } });
    const page = await response.text();
    // Assess: 2 kWh at 10 kW from 09:59:30 UTC is 10:11:30 UTC, 11:11 in Copenhagen
    expect(response.status).toBe(200);
    expect(page).toContain('<span id="session-id">S1</span>');
    expect(page).toMatch(/<progress id="energy-bar" max="10" value="8">/);
    expect(page).toContain('Ends by the energy rule at 11:11');
    expect(page).toContain('<meta http-equiv="refresh"');
    expect(page).not.toContain('/static/uplot.js');
  });

  it('says why nothing will end the session and warns that no tick has run', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    const page = await (await web.app.request('/', { headers: { cookie } })).text();
    // Assess
    expect(page).toContain('No rule will end it');
    expect(page).toContain('No tick has run yet');
  });

  it('shows the last tick, its error and an expiring token', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    await web.deps.ticks.put({
      at: new Date(NOW.getTime() - 20_000),
      action: 'error',
      detail: 'the tick failed',
      error: 'API unreachable',
      warnings: [],
      tokenExpiresAt: new Date(NOW.getTime() + 3 * 86_400_000),
    });
    // Act
    const page = await (await web.app.request('/', { headers: { cookie } })).text();
    // Assess
    expect(page).toContain('The last tick failed: API unreachable');
    expect(page).toContain('expires in 3 day(s)');
    expect(page).toContain('20 s ago');
  });
});

describe('Prices', () => {
  it('charts the spot prices with the limit line when the rules use spot prices', async () => {
    // Prepare
    const slots = [0, 1, 2].map((h) => ({
      start: new Date(NOW.getTime() + h * 3_600_000),
      end: new Date(NOW.getTime() + (h + 1) * 3_600_000),
      perKwh: 1 + h,
    }));
    const prices: PriceSource = {
      current: async () => ({ perKwh: 1, source: 'spot' }),
      forecast: async () => slots,
    };
    const { web, cookie } = await withSession({ pricesFor: () => prices });
    await web.deps.rules.put(parseRules({ priceSource: 'spot', maxPricePerKwh: 2.5 }));
    // Act
    const page = await (await web.app.request('/prices', { headers: { cookie } })).text();
    // Assess
    expect(page).toContain('id="price-chart"');
    expect(page).toContain('"label":"Limit"');
    expect(page).toContain('/static/uplot.js');
    expect(page).toContain('Next above it: Mon 2 Mar, 13:00');
  });

  it('explains that session prices are known only while charging', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    const page = await (await web.app.request('/prices', { headers: { cookie } })).text();
    // Assess
    expect(page).toContain('priceSource: session');
  });
});

describe('History', () => {
  it('lists sessions, charts one session and exports CSV', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    const list = await (await web.app.request('/history', { headers: { cookie } })).text();
    const detail = await (await web.app.request('/history/S1', { headers: { cookie } })).text();
    const csv = await web.app.request('/history.csv', { headers: { cookie } });
    const missing = await web.app.request('/history/nope', { headers: { cookie } });
    // Assess
    expect(list).toContain('href="/history/S1"');
    expect(list).toContain('Mon 2 Mar, 10:00');
    expect(detail).toContain('id="timeline-chart"');
    expect(detail).toContain('"label":"Energy kWh"');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\n')[1]).toBe('S1,2026-03-02T09:00:00.000Z,,active,8,12.5,DKK,,');
    expect(missing.status).toBe(404);
  });
});

describe('Controls', () => {
  it('stores a one-session override bound to the open session, logs it and asks for a tick', async () => {
    // Prepare
    let ticks = 0;
    const { web, cookie } = await withSession({ trigger: { requestTick: async () => void ticks++ } });
    // Act
    const response = await post(web, cookie, '/controls/once', {
      energyKwh: '30',
      maxPricePerKwh: '2,5',
      stopBy: '',
    });
    // Assess
    expect(response.status).toBe(303);
    expect((await web.deps.rules.get())?.once).toEqual({
      sessionId: 'S1',
      energyKwh: 30,
      maxPricePerKwh: 2.5,
    });
    expect((await web.deps.controls.recent(1))[0]).toMatchObject({ action: 'once', at: NOW });
    expect(ticks).toBe(1);
  });

  it('refuses an override the rules schema rejects and stores nothing', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    const response = await post(web, cookie, '/controls/once', { energyKwh: '-3', stopBy: '25:99' });
    // Assess
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('energyKwh');
    expect(await web.deps.rules.get()).toBeNull();
  });

  it('leaves the session alone, then clears the override', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    await post(web, cookie, '/controls/leave-alone', {});
    const left = (await web.deps.rules.get())?.once;
    await post(web, cookie, '/controls/clear', {});
    // Assess
    expect(left).toEqual({ sessionId: 'S1', leaveAlone: true });
    expect((await web.deps.rules.get())?.once).toBeUndefined();
  });

  it('asks to confirm a stop, then sets stopNow for exactly the confirmed session', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    const confirm = await (await web.app.request('/controls/stop', { headers: { cookie } })).text();
    const wrong = await post(web, cookie, '/controls/stop', { sessionId: 'S0' });
    const stopped = await post(web, cookie, '/controls/stop', { sessionId: 'S1' });
    // Assess
    expect(confirm).toContain('within a minute');
    expect(wrong.status).toBe(400);
    expect(stopped.status).toBe(303);
    expect((await web.deps.rules.get())?.once).toEqual({ sessionId: 'S1', stopNow: true });
  });

  it('refuses a change without the CSRF token or with another device’s token', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    const other = await web.signIn();
    const othersToken = csrfFrom(
      await (await web.app.request('/controls', { headers: { cookie: other } })).text(),
    );
    // Act
    const bare = await web.app.request('/controls/once', {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ energyKwh: '5' }),
    });
    const foreign = await web.app.request('/controls/once', {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ energyKwh: '5', csrf: othersToken }),
    });
    // Assess
    expect(bare.status).toBe(403);
    expect(foreign.status).toBe(403);
    expect(await web.deps.rules.get()).toBeNull();
  });
});

describe('headers and static files', () => {
  it('sends a CSP without inline scripts, forbids framing and referrers, and serves uPlot itself', async () => {
    // Prepare
    const { web, cookie } = await withSession();
    // Act
    const page = await web.app.request('/', { headers: { cookie } });
    const uplot = await web.app.request('/static/uplot.js');
    const unknown = await web.app.request('/static/..%2Fports.ts');
    // Assess
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await (await web.app.request('/', { headers: { cookie } })).text()).not.toMatch(
      /<script(?![^>]*(src=|application\/json))/,
    );
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toContain('javascript');
    expect(unknown.status).toBe(404);
  });
});
