import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnergiDataServiceClient } from '../../lambdas/adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../../lambdas/adapters/energidataservice/spot-price-source.ts';
import { FilePriceCache } from '../../lambdas/adapters/local/price-cache.ts';
import { dayBoundsUtc } from '../../lambdas/core/consumer-price.ts';
import type { Tariff } from '../../lambdas/core/rules.ts';
import { PriceUnavailableError } from '../../lambdas/errors.ts';
import { PriceServer, type PriceServerOptions } from '../support/price-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const DK = 'Europe/Copenhagen';
const MINUTE = 60_000;
const TARIFF: Tariff = { flatPerKwh: 0.1, zones: [], vatPercent: 25, hourlyAverage: false };
/** 00:00 in Copenhagen on a winter Tuesday. */
const MIDNIGHT = new Date('2026-11-23T23:00:00Z');

const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

class FakeClock {
  constructor(private ms: number) {}
  now = (): Date => new Date(this.ms);
  set(date: Date): void {
    this.ms = date.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

async function setup(start: Date, options: Omit<PriceServerOptions, 'now'> = {}) {
  const clock = new FakeClock(start.getTime());
  const server = await PriceServer.start({ ...options, now: clock.now });
  cleanup.push(() => server.close());
  const dir = await tempDir('stopwatt-prices-', cleanup);
  const warnings: string[] = [];
  const makeSource = (tariff: Tariff = TARIFF) =>
    new SpotPriceSource({
      client: new EnergiDataServiceClient({ baseUrl: server.url, retryDelayMs: 10, timeoutMs: 2_000 }),
      cache: new FilePriceCache({ dir }),
      area: 'DK1',
      tariff,
      timeZone: DK,
      now: clock.now,
      onWarning: (message) => warnings.push(message),
    });
  return { clock, server, dir, warnings, makeSource, source: makeSource() };
}

describe('EnergiDataServiceClient against the loopback price server', () => {
  it('asks for Danish local start/end with a margin, the area filter, TimeUTC order and an explicit limit', async () => {
    // Prepare
    const { server } = await setup(MIDNIGHT);
    const client = new EnergiDataServiceClient({ baseUrl: `${server.url}/` });
    const day = dayBoundsUtc('2026-11-24', DK);

    // Act
    const { slots } = await client.dayAheadPrices('DK1', day.start, day.end);

    // Assess
    expect(slots).toHaveLength(96);
    expect(slots[0]?.start.toISOString()).toBe('2026-11-23T23:00:00.000Z');
    const [request] = server.requests;
    expect(request?.path).toBe('/dataset/DayAheadPrices');
    expect(request?.query).toEqual({
      start: '2026-11-23T22:00',
      end: '2026-11-25T02:00',
      filter: '{"PriceArea":["DK1"]}',
      sort: 'TimeUTC asc',
      limit: String(96 + 16 + 8),
    });
  });

  it('retries a 500 once and then gives up with PriceUnavailableError', async () => {
    // Prepare
    const { server } = await setup(MIDNIGHT);
    const client = new EnergiDataServiceClient({ baseUrl: server.url, retryDelayMs: 10 });
    const day = dayBoundsUtc('2026-11-24', DK);
    server.fail(500, 1);

    // Act
    const recovered = await client.dayAheadPrices('DK1', day.start, day.end);
    server.fail(500, 5);
    const failed = client.dayAheadPrices('DK1', day.start, day.end);

    // Assess
    expect(recovered.slots).toHaveLength(96);
    await expect(failed).rejects.toThrow(PriceUnavailableError);
    await expect(failed).rejects.toThrow(/HTTP 500/);
    expect(server.count()).toBe(4);
  });

  it('does not retry 403 or 429 and names the status', async () => {
    // Prepare
    const { server } = await setup(MIDNIGHT);
    const client = new EnergiDataServiceClient({ baseUrl: server.url, retryDelayMs: 10 });
    const day = dayBoundsUtc('2026-11-24', DK);

    // Act
    server.fail(429, 5, 120);
    const limited = client.dayAheadPrices('DK1', day.start, day.end);
    await expect(limited).rejects.toThrow(/HTTP 429.*retry-after 120/);
    server.fail(403, 5);
    const refused = client.dayAheadPrices('DK1', day.start, day.end);

    // Assess
    await expect(refused).rejects.toThrow(PriceUnavailableError);
    await expect(refused).rejects.toThrow(/HTTP 403/);
    expect(server.count()).toBe(2);
  });

  it('gives up after its timeout without retrying', async () => {
    // Prepare
    const { server } = await setup(MIDNIGHT);
    const client = new EnergiDataServiceClient({ baseUrl: server.url, timeoutMs: 100 });
    const day = dayBoundsUtc('2026-11-24', DK);
    server.delay(1_000);

    // Act
    const result = client.dayAheadPrices('DK1', day.start, day.end);

    // Assess
    await expect(result).rejects.toThrow(/did not answer .* within 100 ms/);
    expect(server.count()).toBe(1);
  });
});

describe('SpotPriceSource with a file cache', () => {
  it('returns the consumer price of the current slot, valid until the slot end', async () => {
    // Prepare
    const price = () => 800;
    const { source } = await setup(new Date('2026-11-24T09:07:00Z'), { price });

    // Act
    const reading = await source.current(new Date('2026-11-24T09:07:00Z'));

    // Assess
    expect(reading?.source).toBe('spot');
    expect(reading?.perKwh).toBeCloseTo((0.8 + 0.1) * 1.25, 10);
    expect(reading?.validUntil?.toISOString()).toBe('2026-11-24T09:15:00.000Z');
  });

  it('answers a whole day of once-a-minute checks with a handful of requests', async () => {
    // Prepare
    const { clock, server, source } = await setup(MIDNIGHT);
    const requestTimes: string[] = [];
    let missing = 0;

    // Act
    for (let minute = 0; minute < 24 * 60; minute++) {
      const before = server.count();
      const reading = await source.current(clock.now());
      if (reading === null) missing++;
      if (server.count() > before) requestTimes.push(clock.now().toISOString());
      clock.advance(MINUTE);
    }

    // Assess
    console.log(
      `price requests in 24 h of once-a-minute checks: ${server.count()} at ${requestTimes.join(', ')}`,
    );
    expect(missing).toBe(0);
    expect(server.count()).toBeLessThanOrEqual(6);
    // Today at the first tick, tomorrow at 13:15 Copenhagen time (12:15 UTC in winter).
    expect(requestTimes).toEqual(['2026-11-23T23:00:00.000Z', '2026-11-24T12:15:00.000Z']);
  });

  it('reuses the cache from another process without asking again', async () => {
    // Prepare
    const { server, dir, makeSource } = await setup(new Date('2026-11-24T09:00:00Z'));
    await makeSource().current(new Date('2026-11-24T09:00:00Z'));
    const cached = JSON.parse(await readFile(join(dir, 'prices', 'DK1', '2026-11-24.json'), 'utf8'));

    // Act
    const reading = await makeSource().current(new Date('2026-11-24T20:00:00Z'));

    // Assess
    expect(server.count()).toBe(1);
    expect(reading).not.toBeNull();
    expect(cached).toMatchObject({ area: 'DK1', date: '2026-11-24', complete: true });
    expect(cached.slots).toHaveLength(96);
  });

  it('throws PriceUnavailableError on 429 and does not hammer the feed', async () => {
    // Prepare
    const { clock, server, makeSource, source } = await setup(new Date('2026-11-24T09:00:00Z'));
    server.fail(429, 1_000);
    let unavailable = 0;

    // Act
    const first = source.current(clock.now());
    await expect(first).rejects.toThrow(PriceUnavailableError);
    await expect(first).rejects.toThrow(/429/);
    for (let minute = 1; minute <= 120; minute++) {
      clock.advance(MINUTE);
      await source.current(clock.now()).catch((error: unknown) => {
        if (error instanceof PriceUnavailableError) unavailable++;
      });
    }
    const requestsAfterTwoHours = server.count();
    // A fresh process (a CLI run) sees the failed attempt in the cache: it does not ask either,
    // and says the fetch failed rather than that nothing is published.
    const fresh = makeSource().current(clock.now());
    await expect(fresh).rejects.toThrow(/the fetch at \d\d:\d\d Europe\/Copenhagen failed \(.*HTTP 429/);

    // Assess
    expect(unavailable).toBe(120);
    expect(requestsAfterTwoHours).toBe(5); // 09:00, 09:30, 10:00, 10:30, 11:00
    expect(server.count()).toBe(5);
    expect(server.count(429)).toBe(5);
  });

  it('keeps answering from the cache when the feed fails later, with a warning', async () => {
    // Prepare: today is cached; tomorrow's fetch at 13:15 fails.
    const { clock, server, source, warnings } = await setup(new Date('2026-11-24T10:00:00Z'));
    await source.current(clock.now());
    clock.set(new Date('2026-11-24T12:20:00Z'));
    server.fail(503, 10);

    // Act
    const reading = await source.current(clock.now());

    // Assess
    expect(reading).not.toBeNull();
    expect(warnings.join('\n')).toMatch(/HTTP 503/);
    expect(server.count()).toBe(3); // today, then tomorrow tried twice (one retry on 5xx)
  });

  it('returns null for a slot that is not published, without an error', async () => {
    // Prepare: only the morning of today is published.
    const noon = new Date('2026-11-24T11:00:00Z');
    const { source, server } = await setup(new Date('2026-11-24T09:00:00Z'), { publishedUntil: () => noon });

    // Act
    const morning = await source.current(new Date('2026-11-24T09:00:00Z'));
    const afternoon = await source.current(new Date('2026-11-24T14:00:00Z'));
    const nextWeek = await source.current(new Date('2026-12-01T14:00:00Z'));

    // Assess
    expect(morning).not.toBeNull();
    expect(afternoon).toBeNull();
    expect(nextWeek).toBeNull();
    expect(server.count()).toBe(1);
  });

  it('skips a null price, treats its slot as missing and refetches the partial day after 6 hours', async () => {
    // Prepare
    const gap = new Date('2026-11-24T02:30:00Z').getTime();
    const { clock, server, source } = await setup(new Date('2026-11-24T02:00:00Z'), {
      price: (start) => (start.getTime() === gap ? null : 500),
    });

    // Act
    const missing = await source.current(new Date(gap));
    clock.advance(5 * 60 * MINUTE);
    await source.current(clock.now());
    const afterFive = server.count();
    clock.advance(60 * MINUTE);
    await source.current(clock.now());

    // Assess
    expect(missing).toBeNull();
    expect(afterFive).toBe(1);
    expect(server.count()).toBe(2);
  });

  it('forecasts today only before 13:15 and today plus tomorrow after', async () => {
    // Prepare
    const { clock, source } = await setup(new Date('2026-11-24T11:00:00Z'));

    // Act
    const morning = await source.forecast(clock.now());
    clock.set(new Date('2026-11-24T12:30:00Z'));
    const afternoon = await source.forecast(clock.now());

    // Assess
    expect(morning[0]?.start.toISOString()).toBe('2026-11-24T11:00:00.000Z');
    expect(morning.at(-1)?.end.toISOString()).toBe('2026-11-24T23:00:00.000Z');
    expect(afternoon.at(-1)?.end.toISOString()).toBe('2026-11-25T23:00:00.000Z');
    expect(afternoon).toHaveLength(42 + 96); // 12:30-23:00 UTC today, then all of tomorrow
  });

  it('caches the October DST day complete with 100 quarter-hours', async () => {
    // Prepare
    const { dir, source } = await setup(new Date('2026-10-25T08:00:00Z'));

    // Act
    const forecast = await source.forecast(new Date('2026-10-24T22:00:00Z'));
    const cached = JSON.parse(await readFile(join(dir, 'prices', 'DK1', '2026-10-25.json'), 'utf8'));

    // Assess
    expect(forecast).toHaveLength(100);
    expect(cached.complete).toBe(true);
  });

  it('throws PriceUnavailableError from forecast when the feed fails and nothing is cached', async () => {
    // Prepare
    const { server, source } = await setup(new Date('2026-11-24T09:00:00Z'));
    server.fail(403, 1);

    // Act
    const result = source.forecast(new Date('2026-11-24T09:00:00Z'));

    // Assess
    await expect(result).rejects.toThrow(PriceUnavailableError);
    await expect(result).rejects.toThrow(/403/);
  });
});
