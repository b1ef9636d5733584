import { errorMessage, PriceUnavailableError } from '../../errors.ts';
import type { CachedPriceDay, PriceCache } from '../../ports.ts';
import type { DynamoDb } from '../aws/dynamodb.ts';
import { reviveCachedPriceDay, serializeCachedPriceDay } from '../serialization.ts';
import { expiresAt, type ItemKind, pricesPk } from './records.ts';

/** Cached days expire this long after the day itself: long enough for "yesterday" lookups. */
export const PRICE_CACHE_TTL_DAYS = 14;

export interface DynamoDbPriceCacheOptions {
  /** Injected; create it with createDynamoDbClient (retries throttling). */
  readonly client: DynamoDb;
  readonly tableName: string;
}

/**
 * Day-ahead prices per area and date: `pk=PRICES#<area>`, `sk=<YYYY-MM-DD>`. The slots are one
 * JSON string attribute (about 100 slots a day): one small item instead of a list of maps.
 * Failures throw PriceUnavailableError with `cause`.
 */
export class DynamoDbPriceCache implements PriceCache {
  private readonly db: DynamoDb;
  private readonly tableName: string;

  constructor(options: DynamoDbPriceCacheOptions) {
    this.db = options.client;
    this.tableName = options.tableName;
  }

  async get(area: string, date: string): Promise<CachedPriceDay | null> {
    let item: Record<string, unknown> | undefined;
    try {
      item = await this.db.get({ TableName: this.tableName, Key: { pk: pricesPk(area), sk: date } });
    } catch (error) {
      throw this.failure(`read cached prices for ${area} on ${date}`, error);
    }
    if (!item) return null;
    const origin = `cached prices ${pricesPk(area)} / ${date} in table ${this.tableName}`;
    let slots: unknown;
    try {
      slots = typeof item.slots === 'string' ? JSON.parse(item.slots) : undefined;
    } catch (error) {
      throw new PriceUnavailableError(`invalid stored ${origin}: slots are not JSON`, { cause: error });
    }
    return reviveCachedPriceDay({ ...item, slots }, origin);
  }

  async put(day: CachedPriceDay): Promise<void> {
    const record = serializeCachedPriceDay(day);
    const item = {
      pk: pricesPk(day.area),
      sk: day.date,
      kind: 'prices' satisfies ItemKind,
      area: record.area,
      date: record.date,
      fetchedAt: record.fetchedAt,
      complete: record.complete,
      slots: JSON.stringify(record.slots),
      ...(record.failure ? { failure: record.failure } : {}),
      // The date is validated as YYYY-MM-DD above; its UTC midnight is a fine TTL anchor.
      expiresAt: expiresAt(new Date(`${record.date}T00:00:00Z`), PRICE_CACHE_TTL_DAYS),
    };
    try {
      await this.db.put({ TableName: this.tableName, Item: item });
    } catch (error) {
      throw this.failure(`write cached prices for ${day.area} on ${day.date}`, error);
    }
  }

  private failure(action: string, error: unknown): PriceUnavailableError {
    return new PriceUnavailableError(
      `cannot ${action} (DynamoDB table ${this.tableName}): ${errorMessage(error)}`,
      { cause: error },
    );
  }
}
