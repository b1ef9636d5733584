import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmpecoSimulator } from '../../lambdas/simulator/server.ts';
import { ROOT } from '../support/cli-runner.ts';
import { PriceServer } from '../support/price-server.ts';
import {
  launchChromium,
  phoneContext,
  type ServeProcess,
  shownNumber,
  spawnServe,
  tempStore,
} from './web-browser.ts';

/** Set STOPWATT_SCREENSHOTS=1 to refresh docs/screenshots/ from this run. */
const SCREENSHOTS = process.env.STOPWATT_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;
const TOKEN = `e2e.${'x'.repeat(12)}.tok${Date.now().toString(36)}`;
const cleanups: (() => Promise<void>)[] = [];
let browser: Browser;
let simulator: AmpecoSimulator;
let serve: ServeProcess;
let sessionId: string;

beforeAll(async () => {
  simulator = await AmpecoSimulator.start();
  cleanups.push(() => simulator.close());
  const prices = await PriceServer.start();
  cleanups.push(() => prices.close());
  // 90 kW: 0.025 kWh a second, so a target a few tenths of a kWh ahead is reached within seconds.
  sessionId = simulator.addSession({
    powerKw: 90,
    energyWh: 12_400,
    spotPrice: 0.62,
    markup: 1,
    meter: 'continuous',
  }).id;
  const store = await tempStore(cleanups);
  await mkdir(join(store, 'accounts', 'local'), { recursive: true });
  const rules = {
    priceSource: 'spot',
    energyKwh: 40,
    maxPricePerKwh: 4,
    tariff: { flatPerKwh: 0.9, zones: [], vatPercent: 25 },
  };
  await writeFile(join(store, 'accounts', 'local', 'rules.json'), JSON.stringify(rules));
  const env = { STOPWATT_TOKEN: TOKEN, STOPWATT_API_URL: simulator.url, STOPWATT_EDS_URL: prices.url };
  serve = await spawnServe(['--interval', '5'], env, store);
  cleanups.push(() => serve.stop());
  browser = await launchChromium();
  cleanups.push(() => browser.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the phone page in headless Chromium against stopwatt serve and the simulator', () => {
  it('signs in once, shows the live session, ends it at a one-session target and shows it in History', async () => {
    // Prepare
    const { context, requests, received, settle } = await phoneContext(browser);
    const page = await context.newPage();
    // Act: sign in, the first load of Now
    await page.goto(serve.signInUrl);
    await settle();
    const firstLoadBytes = received.reduce((sum, r) => sum + r.bytes, 0);
    // Assess
    expect(new URL(page.url()).pathname).toBe('/');
    expect(page.url()).not.toContain('t=');
    expect(await page.locator('#session-id').textContent()).toBe(sessionId);
    expect(firstLoadBytes).toBeLessThanOrEqual(150 * 1024);
    const before = await shownNumber(page, '#energy');
    await page.waitForTimeout(6_000);
    await page.reload();
    expect(await shownNumber(page, '#energy')).toBeGreaterThan(before);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'now.png') });

    // Act: a link works once only; a change without the CSRF token is refused
    const again = await (await context.newPage()).goto(serve.signInUrl);
    const forged = await context.request.post(`${serve.baseUrl}/controls/once`, { form: { energyKwh: '1' } });
    // Assess
    expect(again?.status()).toBe(403);
    expect(forged.status()).toBe(403);

    // Act: a one-session target just ahead of the meter
    await page.goto(`${serve.baseUrl}/controls`);
    const target = Math.round((meterKwh() + 0.25) * 100) / 100;
    await page.fill('#energyKwh', String(target));
    await page.click('#save-once');
    await expect
      .poll(() => simulator.endRequests(sessionId).length, { timeout: 30_000, interval: 500 })
      .toBe(1);
    // Assess: ended at the target, once
    const stopKwh = (simulator.endRequests(sessionId)[0]?.sessionEnergyWh ?? 0) / 1000;
    expect(Math.abs(stopKwh - target)).toBeLessThan(0.1);

    // Act: History lists it with its stop reason and draws its chart
    await page.goto(`${serve.baseUrl}/history`);
    await page.click(`a[href="/history/${sessionId}"]`);
    await page.waitForSelector('#timeline-chart canvas', { timeout: 10_000 });
    // Assess
    expect(await page.locator('#stop-reason').textContent()).toContain('energy');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'history.png') });
    await page.goto(`${serve.baseUrl}/prices`);
    await page.waitForSelector('#price-chart canvas', { timeout: 10_000 });
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'prices.png') });
    await settle();

    // Assess: only the app's own origin, and no secret in anything received
    const origin = new URL(serve.baseUrl).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    const key = JSON.parse(await readFile(join(serve.store, 'web', 'signing-key.json'), 'utf8')) as {
      secret: string;
    };
    const everything = received.map((r) => r.text).join('\n');
    expect(everything).toContain(sessionId);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(key.secret);
    expect(everything).not.toContain(Buffer.from(key.secret, 'base64url').toString('hex'));
    await context.close();
  });
});

function meterKwh(): number {
  return (simulator.session(sessionId)?.energyWh ?? 0) / 1000;
}
