import {
  addDays,
  type ConsumerPriceSlot,
  dayBoundsUtc,
  expectedSlotCount,
  localDateOf,
  type SpotSlot,
  toConsumerSlots,
} from '../../core/consumer-price.ts';
import { formatLocalTime, instantOf } from '../../core/local-time.ts';
import { type PriceReading, slotAt } from '../../core/prices.ts';
import type { Tariff } from '../../core/rules.ts';
import { errorMessage, PriceUnavailableError } from '../../errors.ts';
import type { CachedPriceDay, PriceCache, PriceSource } from '../../ports.ts';
import type { DayAheadPriceFeed } from './client.ts';
import { neverAnswered, recordedFailure, UNREACHABLE_RETRY_MS } from './fetch-failure.ts';

/** Cache days and the publication time are Copenhagen dates, whatever the rules time zone. */
export const PRICE_DAY_TIME_ZONE = 'Europe/Copenhagen';
/** Tomorrow's prices appear around 13:00 CET; ask a little later. */
export const PUBLISH_CLOCK = { hour: 13, minute: 15 } as const;
/** A day holding some but not all slots is fetched again at most this often. */
export const PARTIAL_REFRESH_MS = 6 * 3_600_000;
/** A day holding no slot yet (feed failing, or tomorrow not published yet) is retried this often. */
export const RETRY_MS = 30 * 60_000;

export interface SpotPriceSourceOptions {
  readonly client: DayAheadPriceFeed;
  readonly cache: PriceCache;
  /** Bidding zone, e.g. DK1. */
  readonly area: string;
  readonly tariff: Tariff;
  /** Time zone of the tariff zones (the rules time zone). */
  readonly timeZone: string;
  readonly now: () => Date;
  /** Told about problems that do not stop a price from being returned (stale feed, cache write). */
  readonly onWarning?: ((message: string) => void) | undefined;
}

interface Loaded {
  readonly days: ReadonlyMap<string, CachedPriceDay | null>;
  readonly error: unknown;
}

/**
 * Consumer prices from Energi Data Service day-ahead prices, cached per area and Copenhagen date.
 *
 * Refresh policy (the free feed answers 403/429 when hammered): a complete day is never fetched
 * again; today or an earlier day is fetched when missing, then at most every 30 min while it has
 * no slot and every 6 h while partial; tomorrow only from 13:15 Copenhagen time, then every 30 min
 * until complete; later days never. Every attempt is remembered in memory and in the cache
 * (`fetchedAt`, and `failure` when it failed), so separate processes keep to the same pace. An
 * attempt that got no answer at all (network down) paces only its own process, for 1 min. Days
 * due together are fetched in one request: on a normal day, today and then tomorrow.
 */
export class SpotPriceSource implements PriceSource {
  readonly #client: DayAheadPriceFeed;
  readonly #cache: PriceCache;
  readonly #area: string;
  readonly #tariff: Tariff;
  readonly #timeZone: string;
  readonly #now: () => Date;
  readonly #warn: (message: string) => void;
  /** Last attempt per date, also when the cache could not record it. */
  readonly #attempts = new Map<string, Date>();
  /** Last failure per date, cleared by a successful fetch: "unavailable" rather than "missing". */
  readonly #failures = new Map<string, { at: Date; message: string }>();
  /** Serialises refreshes so concurrent calls do not fetch the same day twice. */
  #lock: Promise<void> = Promise.resolve();

  constructor(options: SpotPriceSourceOptions) {
    this.#client = options.client;
    this.#cache = options.cache;
    this.#area = options.area;
    this.#tariff = options.tariff;
    this.#timeZone = options.timeZone;
    this.#now = options.now;
    this.#warn = options.onWarning ?? (() => {});
  }

  async current(at: Date): Promise<PriceReading | null> {
    const now = this.#now();
    const date = localDateOf(at, PRICE_DAY_TIME_ZONE);
    // Piggy-back tomorrow once it is published, so forecasts and the midnight tick have it.
    const dates = [date, ...(now >= this.#publishTime(now) ? [this.#tomorrow(now)] : [])];
    const { days, error } = await this.#load(dates, now);
    const spot = days.get(date)?.slots ?? [];
    const slot = slotAt(toConsumerSlots(spot, this.#tariff, this.#timeZone), at);
    if (slot) {
      if (error !== null) this.#warn(`price feed failed, using cached prices: ${errorMessage(error)}`);
      return { perKwh: slot.perKwh, source: 'spot', validUntil: slot.end };
    }
    const failure =
      error !== null
        ? errorMessage(error)
        : (this.#failures.get(date)?.message ?? recordedFailure(days.values(), this.#timeZone));
    if (failure !== undefined) {
      throw new PriceUnavailableError(
        `no ${this.#area} spot price for ${formatLocalTime(at, this.#timeZone)}: ${failure}`,
        error !== null ? { cause: error } : undefined,
      );
    }
    return null;
  }

  /** Consumer slots ending after `from`, through the end of the latest cached day (today or tomorrow). */
  async forecast(from: Date): Promise<ConsumerPriceSlot[]> {
    const now = this.#now();
    const first = localDateOf(from, PRICE_DAY_TIME_ZONE);
    const { days, error } = await this.#load([first, addDays(first, 1)], now);
    const spot: SpotSlot[] = [];
    for (const day of days.values()) if (day) spot.push(...day.slots);
    const slots = toConsumerSlots(spot, this.#tariff, this.#timeZone).filter(
      (slot) => slot.end.getTime() > from.getTime(),
    );
    if (error !== null) {
      if (slots.length === 0) {
        throw new PriceUnavailableError(`no ${this.#area} spot prices: ${errorMessage(error)}`, {
          cause: error,
        });
      }
      this.#warn(`price feed failed, using cached prices: ${errorMessage(error)}`);
    }
    // A failed fetch is not "not published yet": say so until the next attempt succeeds.
    const failed = recordedFailure(days.values(), this.#timeZone);
    if (slots.length === 0 && failed !== undefined)
      throw new PriceUnavailableError(`no ${this.#area} spot prices: ${failed}`);
    return slots;
  }

  #tomorrow(now: Date): string {
    return addDays(localDateOf(now, PRICE_DAY_TIME_ZONE), 1);
  }

  /** 13:15 Copenhagen time on the day of `now`. */
  #publishTime(now: Date): Date {
    const [year, month, day] = localDateOf(now, PRICE_DAY_TIME_ZONE).split('-').map(Number);
    return instantOf(
      { year: year ?? 0, month: month ?? 0, day: day ?? 0, ...PUBLISH_CLOCK },
      PRICE_DAY_TIME_ZONE,
    );
  }

  #isDue(date: string, day: CachedPriceDay | null, now: Date): boolean {
    if (day?.complete) return false;
    const tomorrow = this.#tomorrow(now);
    if (date > tomorrow) return false;
    // An attempt that never reached the feed paces only this process, and only briefly.
    const unreachable = day?.failure?.reachedFeed === false;
    const durable = unreachable ? undefined : day?.fetchedAt.getTime();
    const last = Math.max(this.#attempts.get(date)?.getTime() ?? -Infinity, durable ?? -Infinity);
    const since = now.getTime() - last;
    const partial = (day?.slots.length ?? 0) > 0 && date !== tomorrow;
    const pause = unreachable ? UNREACHABLE_RETRY_MS : partial ? PARTIAL_REFRESH_MS : RETRY_MS;
    if (date === tomorrow) {
      const publish = this.#publishTime(now);
      if (now < publish) return false;
      if (last < publish.getTime()) return true;
    }
    return since >= pause;
  }

  async #load(dates: readonly string[], now: Date): Promise<Loaded> {
    const run = this.#lock.then(() => this.#loadNow([...new Set(dates)].sort(), now));
    this.#lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #loadNow(dates: readonly string[], now: Date): Promise<Loaded> {
    const days = new Map<string, CachedPriceDay | null>();
    for (const date of dates) days.set(date, await this.#read(date));
    const due = dates.filter((date) => this.#isDue(date, days.get(date) ?? null, now));
    const first = due[0];
    const last = due[due.length - 1];
    if (first === undefined || last === undefined) return { days, error: null };

    for (const date of due) this.#attempts.set(date, now);
    let fetched: SpotSlot[];
    try {
      const range = {
        start: dayBoundsUtc(first, PRICE_DAY_TIME_ZONE).start,
        end: dayBoundsUtc(last, PRICE_DAY_TIME_ZONE).end,
      };
      fetched = (await this.#client.dayAheadPrices(this.#area, range.start, range.end)).slots;
    } catch (error) {
      for (const date of due) {
        this.#failures.set(date, { at: now, message: errorMessage(error) });
        // Record the attempt durably so the next process does not retry at once.
        const previous = days.get(date) ?? null;
        const attempt: CachedPriceDay = {
          area: this.#area,
          date,
          fetchedAt: now,
          slots: previous?.slots ?? [],
          complete: false,
          failure: { message: errorMessage(error), reachedFeed: !neverAnswered(error) },
        };
        days.set(date, attempt);
        await this.#write(attempt);
      }
      return { days, error };
    }

    for (const date of due) {
      this.#failures.delete(date);
      const bounds = dayBoundsUtc(date, PRICE_DAY_TIME_ZONE);
      const merged = new Map<number, SpotSlot>();
      // Keep what was cached, let fresh values win: a partial answer never loses known slots.
      for (const slot of [...(days.get(date)?.slots ?? []), ...fetched]) {
        const t = slot.start.getTime();
        if (t >= bounds.start.getTime() && t < bounds.end.getTime()) merged.set(t, slot);
      }
      const slots = [...merged.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
      const day: CachedPriceDay = {
        area: this.#area,
        date,
        fetchedAt: now,
        slots,
        complete: slots.length >= expectedSlotCount(date, PRICE_DAY_TIME_ZONE),
      };
      days.set(date, day);
      await this.#write(day);
    }
    return { days, error: null };
  }

  /** A damaged or unreadable cache entry is treated as missing (and overwritten by the next fetch). */
  async #read(date: string): Promise<CachedPriceDay | null> {
    try {
      return await this.#cache.get(this.#area, date);
    } catch (error) {
      this.#warn(`ignoring cached ${this.#area} prices for ${date}: ${errorMessage(error)}`);
      return null;
    }
  }

  async #write(day: CachedPriceDay): Promise<void> {
    try {
      await this.#cache.put(day);
    } catch (error) {
      this.#warn(`could not cache ${this.#area} prices for ${day.date}: ${errorMessage(error)}`);
    }
  }
}
