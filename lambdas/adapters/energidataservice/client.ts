/**
 * Energi Data Service (api.energidataservice.dk) client for the `DayAheadPrices` dataset.
 * No key, nothing secret: the URL may be logged as is.
 */
import * as z from 'zod/mini';
import { DEFAULT_EDS_URL } from '../../contract.ts';
import type { SpotSlot } from '../../core/consumer-price.ts';
import { wallTime } from '../../core/local-time.ts';
import { ApiError, ApiUnreachableError, InvalidResponseError, PriceUnavailableError } from '../../errors.ts';
import { type BoundedResponse, boundedFetch } from '../http/bounded-fetch.ts';
import '../../zod-messages.ts';

const DATASET_PATH = '/dataset/DayAheadPrices';
const REQUEST = `GET ${DATASET_PATH}`;
const QUARTER_MS = 15 * 60_000;
/** EDS reads `start`/`end` as Danish local time. */
const QUERY_TIME_ZONE = 'Europe/Copenhagen';
/** Queried around the wanted range so local-time and DST quirks never cut a slot; filtered on TimeUTC. */
const QUERY_MARGIN_MS = 2 * 3_600_000;
/** Rows beyond the computed span: covers the repeated local hour in October. */
const LIMIT_SLACK = 8;

const TIME_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z?$/;

const RecordSchema = z.object({
  TimeUTC: z.string().check(z.regex(TIME_UTC, 'must be YYYY-MM-DDTHH:mm:ss (UTC)')),
  TimeDK: z.optional(z.string()),
  PriceArea: z.string(),
  DayAheadPriceDKK: z.nullable(z.number()),
  DayAheadPriceEUR: z.optional(z.nullable(z.number())),
});

/** Unknown fields are tolerated (z.object strips them): EDS adds columns over time. */
const ResponseSchema = z.object({
  total: z.optional(z.int().check(z.nonnegative())),
  limit: z.optional(z.int()),
  dataset: z.optional(z.string()),
  records: z.array(RecordSchema),
});

/** Spot slots of one price area, plus how many records had no DKK price. */
export interface DayAheadPrices {
  readonly slots: SpotSlot[];
  /** Records in range whose `DayAheadPriceDKK` was null (skipped). */
  readonly skipped: number;
}

/** What SpotPriceSource needs from a day-ahead price feed. */
export interface DayAheadPriceFeed {
  /** Slots of `area` whose start lies in [start, end), sorted by start. Throws PriceUnavailableError. */
  dayAheadPrices(area: string, start: Date, end: Date): Promise<DayAheadPrices>;
}

export interface EnergiDataServiceClientOptions {
  /** Service root; the client appends `/dataset/DayAheadPrices`. @default DEFAULT_EDS_URL */
  readonly baseUrl?: string | undefined;
  /** Per attempt, capped at 10 s (a Lambda tick must not wait on the free feed). @default 10_000 */
  readonly timeoutMs?: number | undefined;
  /** Wait before the single retry after a 5xx or a network error. @default 1_000 */
  readonly retryDelayMs?: number | undefined;
}

/** `TimeUTC` carries no zone designator but is UTC: append Z before parsing. */
export function parseTimeUtc(text: string): Date {
  return new Date(text.endsWith('Z') ? text : `${text}Z`);
}

/**
 * Validates a `DayAheadPrices` response body and keeps the records of `area` whose start lies in
 * [start, end). Keyed on `TimeUTC` only (`TimeDK` repeats an hour in October). Pure.
 */
export function parseDayAheadResponse(
  body: unknown,
  range: { readonly area: string; readonly start: Date; readonly end: Date },
): DayAheadPrices {
  const parsed = ResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
    throw new InvalidResponseError(`Energi Data Service returned an unexpected body (${where})`, REQUEST);
  }
  const from = range.start.getTime();
  const to = range.end.getTime();
  const byStart = new Map<number, SpotSlot>();
  let skipped = 0;
  for (const record of parsed.data.records) {
    if (record.PriceArea !== range.area) continue;
    const start = parseTimeUtc(record.TimeUTC).getTime();
    if (Number.isNaN(start) || start < from || start >= to) continue;
    if (record.DayAheadPriceDKK === null) {
      skipped++;
      continue;
    }
    byStart.set(start, {
      start: new Date(start),
      end: new Date(start + QUARTER_MS),
      spotDkkPerMwh: record.DayAheadPriceDKK,
    });
  }
  const slots = [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
  return { slots, skipped };
}

/** `yyyy-MM-ddTHH:mm` on the Copenhagen wall clock, the format EDS reads `start`/`end` in. */
function edsLocalTime(instant: Date): string {
  const w = wallTime(instant, QUERY_TIME_ZONE);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}

export class EnergiDataServiceClient implements DayAheadPriceFeed {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;

  constructor(options: EnergiDataServiceClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_EDS_URL).replace(/\/+$/, '');
    this.timeoutMs = Math.min(options.timeoutMs ?? 10_000, 10_000);
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
  }

  /** The URL for one area and UTC range, with a margin (EDS reads start/end as local time). */
  urlFor(area: string, start: Date, end: Date): string {
    const queryStart = new Date(start.getTime() - QUERY_MARGIN_MS);
    const queryEnd = new Date(end.getTime() + QUERY_MARGIN_MS);
    const limit = Math.ceil((queryEnd.getTime() - queryStart.getTime()) / QUARTER_MS) + LIMIT_SLACK;
    const params: [string, string][] = [
      ['start', edsLocalTime(queryStart)],
      ['end', edsLocalTime(queryEnd)],
      ['filter', JSON.stringify({ PriceArea: [area] })],
      ['sort', 'TimeUTC asc'],
      ['limit', String(limit)],
    ];
    // encodeURIComponent: a space as %20, never "+" (which EDS reads as a literal plus in `now+P1D`).
    const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return `${this.baseUrl}${DATASET_PATH}?${query}`;
  }

  async dayAheadPrices(area: string, start: Date, end: Date): Promise<DayAheadPrices> {
    const text = await this.fetchText(this.urlFor(area, start, end));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new InvalidResponseError('Energi Data Service returned a body that is not JSON', REQUEST, {
        cause: error,
      });
    }
    return parseDayAheadResponse(body, { area, start, end });
  }

  /**
   * The body of one GET, bounded in time and size, redirects refused. The free service answers
   * 403/429 when hammered: one retry, on 5xx and network errors only.
   */
  private async fetchText(url: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const deadline = Date.now() + this.timeoutMs;
      let response: BoundedResponse;
      try {
        response = await boundedFetch({
          url,
          method: 'GET',
          headers: { accept: 'application/json' },
          deadline,
          label: REQUEST,
        });
      } catch (error) {
        const timedOut = Date.now() >= deadline;
        if (error instanceof ApiUnreachableError && !timedOut && attempt === 0) {
          await this.pause();
          continue;
        }
        throw this.unavailable(error, timedOut);
      }
      const { status } = response;
      if (status >= 200 && status < 300) return response.text;
      if (status >= 500 && attempt === 0) {
        await this.pause();
        continue;
      }
      if (status === 403 || status === 429) {
        const retryAfter = response.headers.get('retry-after');
        const hint = retryAfter ? `, retry-after ${retryAfter}` : '';
        throw new PriceUnavailableError(
          `Energi Data Service refused ${REQUEST} with HTTP ${status} (rate limited${hint}); not retrying`,
        );
      }
      throw new PriceUnavailableError(`Energi Data Service answered ${REQUEST} with HTTP ${status}`);
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
  }

  private unavailable(error: unknown, timedOut: boolean): Error {
    if (error instanceof InvalidResponseError) return error;
    if (timedOut) {
      return new PriceUnavailableError(
        `Energi Data Service did not answer ${REQUEST} within ${this.timeoutMs} ms`,
        { cause: error },
      );
    }
    if (error instanceof ApiError)
      return new PriceUnavailableError(`Energi Data Service: ${error.message}`, { cause: error });
    const reason = error instanceof Error ? error.message : String(error);
    return new PriceUnavailableError(`Energi Data Service unreachable at ${this.baseUrl}: ${reason}`, {
      cause: error,
    });
  }
}
