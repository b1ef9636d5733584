import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pricesCommand } from '../../bin/commands/prices.ts';
import { runCommand } from '../support/cli-io.ts';
import { PriceServer } from '../support/price-server.ts';
import { tempDir } from '../support/temp-dir.ts';

/** 14:00 in Copenhagen: today's and tomorrow's prices are published. */
const NOW = new Date('2026-11-24T13:00:00Z');

const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const server = await PriceServer.start({
    now: () => NOW,
    price: (start) => (start.getUTCHours() >= 16 ? 3000 : 500),
  });
  cleanup.push(() => server.close());
  const dir = await tempDir('stopwatt-prices-cmd-', cleanup);
  const run = (args: string[]) =>
    runCommand(pricesCommand, args, {
      env: { STOPWATT_EDS_URL: server.url, STOPWATT_STORE: dir },
      now: () => NOW,
    });
  return { server, dir, run };
}

interface JsonSlot {
  start: string;
  end: string;
  perKwh: number;
  spotPerKwh: number;
  aboveMax: boolean;
}

describe('stopwatt prices', () => {
  it('prints a table of today and tomorrow with bars and above-max markers', async () => {
    // Prepare
    const { run } = await setup();

    // Act
    const { code, stdout, stderr } = await run(['--area', 'DK1', '--max-price', '2']);

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('DK1 consumer prices, DKK/kWh (VAT 25%; flat 0.00; quarter-hours)');
    expect(stdout).toContain('Tuesday 2026-11-24');
    expect(stdout).toContain('Wednesday 2026-11-25');
    // 00:00 local is 23:00 UTC: dear (3.000 spot * 1.25 = 3.750), marked and with a full bar.
    expect(stdout).toMatch(/ {2}00:00 {4}3\.750 {4}3\.000 ▲ █{32}\n/);
    expect(stdout).toMatch(/ {2}12:00 {4}0\.625 {4}0\.500 {3}█+/);
    expect(stdout).toMatch(/14:00 .*◀ now/);
    const rows = stdout.split('\n').filter((line) => /^ {2}\d\d:\d\d /.test(line));
    expect(rows).toHaveLength(192);
  });

  it('prints one JSON object with consumer and spot prices per slot', async () => {
    // Prepare
    const { run } = await setup();

    // Act
    const { code, stdout } = await run([
      '--area',
      'DK2',
      '--json',
      '--max-price',
      '2',
      '--vat',
      '0',
      '--flat',
      '0.25',
    ]);

    // Assess
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { area: string; currency: string; unit: string; slots: JsonSlot[] };
    expect(Object.keys(out)).toEqual(['area', 'currency', 'unit', 'slots']);
    expect(out).toMatchObject({ area: 'DK2', currency: 'DKK', unit: 'DKK/kWh' });
    expect(out.slots).toHaveLength(192);
    expect(out.slots[0]).toEqual({
      start: '2026-11-23T23:00:00.000Z',
      end: '2026-11-23T23:15:00.000Z',
      perKwh: 3.25,
      spotPerKwh: 3,
      aboveMax: true,
    });
    expect(out.slots.find((s) => s.start === '2026-11-24T12:00:00.000Z')).toMatchObject({
      perKwh: 0.75,
      aboveMax: false,
    });
  });

  it('takes the tariff from a rules file and averages hours with --hourly', async () => {
    // Prepare
    const { dir, run } = await setup();
    const rulesFile = join(dir, 'rules.json');
    await writeFile(
      rulesFile,
      JSON.stringify({
        priceArea: 'DK2',
        maxPricePerKwh: 1,
        tariff: { flatPerKwh: 0.1, vatPercent: 25, zones: [{ from: '17:00', to: '21:00', perKwh: 0.5 }] },
      }),
    );

    // Act
    const { code, stdout } = await run(['--rules', rulesFile, '--hourly', '--json']);

    // Assess
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { area: string; slots: JsonSlot[] };
    expect(out.area).toBe('DK2');
    expect(out.slots).toHaveLength(48);
    // 17:00 local = 16:00 UTC: (3.0 spot + 0.5 zone + 0.1 flat) * 1.25.
    expect(out.slots.find((s) => s.start === '2026-11-24T16:00:00.000Z')).toEqual({
      start: '2026-11-24T16:00:00.000Z',
      end: '2026-11-24T17:00:00.000Z',
      perKwh: 4.5,
      spotPerKwh: 3,
      aboveMax: true,
    });
  });

  it('exits 2 with a one-line reason for a bad --area, without asking the feed', async () => {
    // Prepare
    const { server, run } = await setup();

    // Act
    const { code, stdout, stderr } = await run(['--area', 'DK3']);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('stopwatt: --area must be DK1 or DK2 (got "DK3")\n');
    expect(server.count()).toBe(0);
  });

  it('exits 2 for an unknown flag, a bad VAT and a missing rules file', async () => {
    // Prepare
    const { run } = await setup();

    // Act
    const results = await Promise.all([
      run(['--colour']),
      run(['--vat', '125']),
      run(['--max-price', 'cheap']),
      run(['--rules', '/nonexistent/rules.json']),
    ]);

    // Assess
    for (const { code, stderr } of results) {
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(results[1]?.stderr).toMatch(/--vat must be a percentage from 0 to 100/);
  });

  it('prints usage for --help', async () => {
    // Prepare
    const { run } = await setup();

    // Act
    const { code, stdout } = await run(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: stopwatt prices/);
  });

  it('exits 1 with a clear message when the feed refuses', async () => {
    // Prepare
    const { server, run } = await setup();
    server.fail(429, 10);

    // Act
    const { code, stdout, stderr } = await run(['--area', 'DK1']);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^stopwatt: no DK1 spot prices: .*HTTP 429/);
    expect(server.count()).toBe(1);
  });
});
