/**
 * A loopback stand-in for Energi Data Service's `GET /dataset/DayAheadPrices`: real-shaped
 * records (TimeUTC without Z, TimeDK local wall time, 15-minute slots, prices per MWh) generated
 * from a price function, honouring start/end (Danish local time), filter, sort, offset and limit,
 * with fault injection and a log of every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addDays, localDateOf } from '../../lambdas/core/consumer-price.ts';
import { instantOf, wallTime } from '../../lambdas/core/local-time.ts';

const DK = 'Europe/Copenhagen';
const QUARTER_MS = 15 * 60_000;
const AREAS = ['DK1', 'DK2'] as const;
/** DKK per EUR, close to the peg; only used to fill DayAheadPriceEUR. */
const DKK_PER_EUR = 7.46;

export interface PriceServerOptions {
  /** DKK per MWh for the slot starting at `start` (UTC); null publishes the record with a null price. */
  readonly price?: ((start: Date, area: string) => number | null) | undefined;
  /** Records starting at or after this instant are not published yet. @default see defaultPublishedUntil */
  readonly publishedUntil?: ((now: Date) => Date) | undefined;
  /** The server's clock (for publication). @default real time */
  readonly now?: (() => Date) | undefined;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface DayAheadRecord {
  TimeUTC: string;
  TimeDK: string;
  PriceArea: string;
  DayAheadPriceDKK: number | null;
  DayAheadPriceEUR: number | null;
}

/** A smooth, partly negative daily curve: cheap at night and midday, dear in the evening peak. */
export function defaultPrice(start: Date, area: string): number {
  const w = wallTime(start, DK);
  const hour = w.hour + w.minute / 60;
  const base = area === 'DK2' ? 40 : 0;
  return Math.round((600 + base + 500 * Math.sin(((hour - 11) / 24) * 2 * Math.PI)) * 100) / 100;
}

/** End of today (Copenhagen) before 13:00 local, end of tomorrow from 13:00 on. */
export function defaultPublishedUntil(now: Date): Date {
  const today = localDateOf(now, DK);
  const w = wallTime(now, DK);
  const lastDay = w.hour >= 13 ? addDays(today, 1) : today;
  return localMidnight(addDays(lastDay, 1));
}

function localMidnight(date: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return instantOf({ year: year ?? 0, month: month ?? 0, day: day ?? 0, hour: 0, minute: 0 }, DK);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2026-11-24T12:15:00`: no zone designator, as EDS writes both TimeUTC and TimeDK. */
function plainTime(w: { year: number; month: number; day: number; hour: number; minute: number }): string {
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}:00`;
}

/** Parses EDS `start`/`end` (yyyy, yyyy-MM, yyyy-MM-dd, yyyy-MM-ddTHH:mm) as Danish local time. */
function parseLocal(text: string): Date | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?$/.exec(text);
  if (!m) return null;
  return instantOf(
    {
      year: Number(m[1]),
      month: Number(m[2] ?? '1'),
      day: Number(m[3] ?? '1'),
      hour: Number(m[4] ?? '0'),
      minute: Number(m[5] ?? '0'),
    },
    DK,
  );
}

interface Fault {
  status: number;
  remaining: number;
  retryAfter: string | null;
}

export class PriceServer {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #price: (start: Date, area: string) => number | null;
  readonly #publishedUntil: (now: Date) => Date;
  readonly #now: () => Date;
  #fault: Fault | null = null;
  #delayMs = 0;

  private constructor(server: Server, options: PriceServerOptions) {
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.#price = options.price ?? defaultPrice;
    this.#publishedUntil = options.publishedUntil ?? defaultPublishedUntil;
    this.#now = options.now ?? (() => new Date());
  }

  static async start(options: PriceServerOptions = {}): Promise<PriceServer> {
    let instance: PriceServer | null = null;
    const server = createServer((req, res) => {
      if (instance) instance.#handle(req, res);
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    instance = new PriceServer(server, options);
    return instance;
  }

  /** The next `times` requests answer `status` (429/503 with `retry-after: retryAfter` seconds). */
  fail(status: number, times: number, retryAfter = 60): void {
    this.#fault = {
      status,
      remaining: times,
      retryAfter: status === 429 || status === 503 ? String(retryAfter) : null,
    };
  }

  /** Delays every answer by `ms` (0 turns it off), to exercise client timeouts. */
  delay(ms: number): void {
    this.#delayMs = ms;
  }

  /** Requests answered with `status`. */
  count(status?: number): number {
    return status === undefined
      ? this.requests.length
      : this.requests.filter((r) => r.status === status).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The records EDS would hold for `area` in the UTC range [start, end), published or not. */
  recordsFor(area: string, start: Date, end: Date): DayAheadRecord[] {
    const out: DayAheadRecord[] = [];
    const first = Math.ceil(start.getTime() / QUARTER_MS) * QUARTER_MS;
    for (let t = first; t < end.getTime(); t += QUARTER_MS) {
      const slot = new Date(t);
      const dkk = this.#price(slot, area);
      out.push({
        TimeUTC: slot.toISOString().slice(0, 19),
        TimeDK: plainTime(wallTime(slot, DK)),
        PriceArea: area,
        DayAheadPriceDKK: dkk,
        DayAheadPriceEUR: dkk === null ? null : Math.round((dkk / DKK_PER_EUR) * 100) / 100,
      });
    }
    return out;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, status });
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (this.#delayMs > 0) setTimeout(send, this.#delayMs);
      else send();
    };

    if (this.#fault && this.#fault.remaining > 0) {
      this.#fault.remaining--;
      const { status, retryAfter } = this.#fault;
      answer(
        status,
        { error: status === 429 ? 'Too many requests' : 'Error' },
        retryAfter ? { 'retry-after': retryAfter } : {},
      );
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/dataset/DayAheadPrices') {
      answer(404, { error: 'Not found' });
      return;
    }

    const start = parseLocal(query.start ?? '');
    const end = parseLocal(query.end ?? '');
    if (!start || !end) {
      answer(400, { error: 'start and end are required (yyyy-MM-ddTHH:mm, Danish time)' });
      return;
    }
    let areas: readonly string[] = AREAS;
    if (query.filter !== undefined) {
      try {
        const filter = JSON.parse(query.filter) as { PriceArea?: unknown };
        if (Array.isArray(filter.PriceArea)) areas = filter.PriceArea.map(String);
      } catch {
        answer(400, { error: 'filter is not JSON' });
        return;
      }
    }
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
      answer(400, { error: 'limit and offset must be non-negative integers' });
      return;
    }

    const published = this.#publishedUntil(this.#now()).getTime();
    const rangeEnd = new Date(Math.min(end.getTime(), published));
    const all = areas.flatMap((area) => this.recordsFor(area, start, rangeEnd));
    const descending = /\bdesc$/i.test(query.sort ?? '');
    all.sort((a, b) => {
      const byTime = a.TimeUTC < b.TimeUTC ? -1 : a.TimeUTC > b.TimeUTC ? 1 : 0;
      return (descending ? -byTime : byTime) || a.PriceArea.localeCompare(b.PriceArea);
    });
    const records = limit === 0 ? all.slice(offset) : all.slice(offset, offset + limit);
    answer(200, {
      total: all.length,
      filters: JSON.stringify({ PriceArea: areas }),
      limit,
      dataset: 'DayAheadPrices',
      records,
    });
  }
}
