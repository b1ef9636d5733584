import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRules, parseRulesJson } from '../../lambdas/config.ts';
import { DEFAULT_EDS_URL } from '../../lambdas/contract.ts';
import { type ConsumerPriceSlot, dayBoundsUtc, localDateOf } from '../../lambdas/core/consumer-price.ts';
import { wallTime } from '../../lambdas/core/local-time.ts';
import type { Rules, Tariff } from '../../lambdas/core/rules.ts';
import { errorMessage } from '../../lambdas/errors.ts';
import { EXIT_FAILED, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { spotPriceSourceFor } from '../cli/price-deps.ts';
import { parseCommandArgs } from './check.ts';

export const PRICES_HELP = `Usage: stopwatt prices [options]

Shows today's and tomorrow's consumer electricity prices from Energi Data Service day-ahead
prices: (spot/1000 + zone tariff + flat) * (1 + VAT%), per kWh. Tomorrow's prices are fetched
from 13:15 Copenhagen time. Prices are cached in the local store.

Options:
  --area DK1|DK2      price area (default: the rules file's priceArea, else DK1)
  --max-price X       mark slots above X DKK/kWh (default: the rules file's maxPricePerKwh)
  --rules FILE        rules JSON file: tariff (flatPerKwh, zones, vatPercent, hourlyAverage),
                      priceArea, maxPricePerKwh, timezone
  --vat P             VAT percent, 0-100 (overrides the rules file; default 25)
  --flat X            flat charges per kWh before VAT (overrides the rules file; default 0)
  --hourly            average the quarter-hours of each hour (hourly contracts)
  --json              print one JSON object on stdout
  -h, --help          show this help

Environment: STOPWATT_EDS_URL (default ${DEFAULT_EDS_URL}), STOPWATT_STORE (default ./.stopwatt).
Exit codes: 0 prices shown, 1 prices unavailable, 2 bad input.`;

const OPTIONS = {
  area: { type: 'string' },
  'max-price': { type: 'string' },
  rules: { type: 'string' },
  vat: { type: 'string' },
  flat: { type: 'string' },
  hourly: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const NUMBER = /^-?\d+(\.\d+)?$/;
const BAR_WIDTH = 32;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const ABOVE = '▲';

export interface PricesIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** For tests. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

interface PricesRequest {
  readonly area: 'DK1' | 'DK2';
  readonly maxPrice: number | null;
  readonly tariff: Tariff;
  readonly timeZone: string;
  readonly json: boolean;
}

function parseNumber(flag: string, raw: string, check: (n: number) => boolean, expected: string): number {
  const value = Number(raw);
  if (!NUMBER.test(raw.trim()) || !Number.isFinite(value) || !check(value)) {
    throw new UsageError(`--${flag} must be ${expected} (got "${raw}")`);
  }
  return value;
}

async function readRules(file: string | undefined): Promise<Rules> {
  if (file === undefined) return parseRules({});
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read rules file ${file}: ${errorMessage(error)}`);
  }
  return parseRulesJson(text, `rules file ${file}`);
}

function parseFlags(args: string[]) {
  try {
    return parseCommandArgs(args, OPTIONS).values;
  } catch (error) {
    throw new UsageError(`${errorMessage(error)} (try stopwatt prices --help)`);
  }
}

async function parseRequest(args: string[]): Promise<PricesRequest | 'help'> {
  const values = parseFlags(args);
  if (values.help) return 'help';
  const rules = await readRules(values.rules);
  let area = rules.priceArea;
  if (values.area !== undefined) {
    if (values.area !== 'DK1' && values.area !== 'DK2') {
      throw new UsageError(`--area must be DK1 or DK2 (got "${values.area}")`);
    }
    area = values.area;
  }
  const maxPrice =
    values['max-price'] === undefined
      ? (rules.maxPricePerKwh ?? null)
      : parseNumber('max-price', values['max-price'], (n) => n >= 0, 'a price in DKK/kWh, 0 or more');
  const tariff: Tariff = {
    ...rules.tariff,
    ...(values.vat === undefined
      ? {}
      : {
          vatPercent: parseNumber('vat', values.vat, (n) => n >= 0 && n <= 100, 'a percentage from 0 to 100'),
        }),
    ...(values.flat === undefined
      ? {}
      : { flatPerKwh: parseNumber('flat', values.flat, () => true, 'a number in DKK/kWh') }),
    ...(values.hourly ? { hourlyAverage: true } : {}),
  };
  return { area, maxPrice, tariff, timeZone: rules.timezone, json: values.json === true };
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function bar(value: number, low: number, high: number): string {
  const span = high - low;
  const eighths = span > 0 ? Math.round(((value - low) / span) * BAR_WIDTH * 8) : 0;
  const clamped = Math.max(0, Math.min(BAR_WIDTH * 8, eighths));
  return '█'.repeat(Math.floor(clamped / 8)) + (EIGHTHS[clamped % 8] ?? '');
}

function clock(instant: Date, timeZone: string): string {
  const w = wallTime(instant, timeZone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

function dayTitle(date: string, timeZone: string): string {
  const weekday = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long' }).format(
    dayBoundsUtc(date, timeZone).start,
  );
  return `${weekday} ${date}`;
}

function describeTariff(tariff: Tariff): string {
  const parts = [`VAT ${tariff.vatPercent}%`, `flat ${tariff.flatPerKwh.toFixed(2)}`];
  if (tariff.zones.length > 0) {
    parts.push(`zones ${tariff.zones.map((z) => `${z.from}-${z.to} ${z.perKwh.toFixed(2)}`).join(', ')}`);
  }
  parts.push(tariff.hourlyAverage ? 'hourly average' : 'quarter-hours');
  return parts.join('; ');
}

function table(request: PricesRequest, slots: readonly ConsumerPriceSlot[], now: Date): string {
  const { timeZone, maxPrice } = request;
  const low = Math.min(0, ...slots.map((s) => s.perKwh));
  const high = Math.max(...slots.map((s) => s.perKwh));
  const lines = [
    `${request.area} consumer prices, DKK/kWh (${describeTariff(request.tariff)}), times ${timeZone}`,
  ];
  if (maxPrice !== null) lines.push(`${ABOVE} above --max-price ${maxPrice.toFixed(2)} DKK/kWh`);
  let day = '';
  for (const slot of slots) {
    const date = localDateOf(slot.start, timeZone);
    if (date !== day) {
      day = date;
      lines.push('', dayTitle(date, timeZone), '  time   DKK/kWh     spot');
    }
    const above = maxPrice !== null && slot.perKwh > maxPrice ? ABOVE : ' ';
    const current = slot.start <= now && now < slot.end ? '  ◀ now' : '';
    lines.push(
      `  ${clock(slot.start, timeZone)} ${slot.perKwh.toFixed(3).padStart(8)} ${slot.spotPerKwh
        .toFixed(3)
        .padStart(8)} ${above} ${bar(slot.perKwh, low, high)}${current}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `stopwatt prices`: today's and tomorrow's consumer prices as a table with bars, or JSON. */
export async function pricesCommand(args: string[], io: PricesIo): Promise<number> {
  let request: PricesRequest | 'help';
  try {
    request = await parseRequest(args);
  } catch (error) {
    return reportError(error, io);
  }
  if (request === 'help') {
    io.stdout.write(`${PRICES_HELP}\n`);
    return EXIT_OK;
  }

  const nowFn = io.now ?? (() => new Date());
  const now = nowFn();
  const source = spotPriceSourceFor({
    env: io.env,
    dir: io.env.STOPWATT_STORE || join(process.cwd(), '.stopwatt'),
    area: request.area,
    tariff: request.tariff,
    timeZone: request.timeZone,
    now: nowFn,
    warn: (message) => io.stderr.write(`stopwatt: warning: ${message}\n`),
  });

  let slots: ConsumerPriceSlot[];
  try {
    const today = localDateOf(now, request.timeZone);
    slots = await source.forecast(dayBoundsUtc(today, request.timeZone).start);
  } catch (error) {
    return reportError(error, io);
  }
  if (slots.length === 0) {
    io.stderr.write(`stopwatt: no ${request.area} prices published for today yet\n`);
    return EXIT_FAILED;
  }

  const { maxPrice } = request;
  if (request.json) {
    const out = {
      area: request.area,
      currency: 'DKK',
      unit: 'DKK/kWh',
      slots: slots.map((slot) => ({
        start: slot.start.toISOString(),
        end: slot.end.toISOString(),
        perKwh: round(slot.perKwh, 5),
        spotPerKwh: round(slot.spotPerKwh, 5),
        aboveMax: maxPrice !== null && slot.perKwh > maxPrice,
      })),
    };
    io.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    io.stdout.write(table(request, slots, now));
  }
  return EXIT_OK;
}
