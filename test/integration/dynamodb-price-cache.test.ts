import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbPriceCache } from '../../lambdas/adapters/dynamodb/price-cache.ts';
import { PriceUnavailableError } from '../../lambdas/errors.ts';
import type { CachedPriceDay } from '../../lambdas/ports.ts';
import { createLocalClient, createTestTable, type TestTable } from '../support/dynamodb.ts';

const QUARTER = 15 * 60_000;

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoDbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

/** A Copenhagen winter day: local midnight is 23:00 UTC the day before; 96 quarter-hours. */
function priceDay(overrides: Partial<CachedPriceDay> = {}, slotCount = 96): CachedPriceDay {
  const first = Date.parse('2025-01-14T23:00:00.000Z');
  return {
    area: 'DK1',
    date: '2025-01-15',
    fetchedAt: new Date('2025-01-14T12:05:31.417Z'),
    slots: Array.from({ length: slotCount }, (_, i) => ({
      start: new Date(first + i * QUARTER),
      end: new Date(first + (i + 1) * QUARTER),
      // Negative and fractional prices happen.
      spotDkkPerMwh: i === 10 ? -12.5 : 400 + i * 3.33,
    })),
    complete: slotCount === 96,
    ...overrides,
  };
}

describe('DynamoDbPriceCache against DynamoDB Local', () => {
  it('returns a cached day exactly as it was put', async () => {
    // Prepare
    const cache = new DynamoDbPriceCache({ client: table.client, tableName: table.tableName });
    const day = priceDay();

    // Act
    await cache.put(day);
    const read = await cache.get('DK1', '2025-01-15');

    // Assess
    expect(read).toStrictEqual(day);
  });

  it('returns null for a day or an area that is not cached', async () => {
    // Prepare
    const cache = new DynamoDbPriceCache({ client: table.client, tableName: table.tableName });
    await cache.put(priceDay({ area: 'DK1', date: '2025-01-16' }));

    // Act
    const [otherDay, otherArea] = await Promise.all([
      cache.get('DK1', '2025-01-17'),
      cache.get('DK2', '2025-01-16'),
    ]);

    // Assess
    expect(otherDay).toBeNull();
    expect(otherArea).toBeNull();
  });

  it('replaces a partial day with the complete one', async () => {
    // Prepare
    const cache = new DynamoDbPriceCache({ client: table.client, tableName: table.tableName });
    const partial = priceDay({ area: 'DK2', date: '2025-01-18' }, 40);
    const complete = priceDay({
      area: 'DK2',
      date: '2025-01-18',
      fetchedAt: new Date('2025-01-18T13:10:00.000Z'),
    });

    // Act
    await cache.put(partial);
    await cache.put(complete);

    // Assess
    expect(await cache.get('DK2', '2025-01-18')).toStrictEqual(complete);
  });

  it('stores the slots as one JSON string and expires the item 14 days after the date', async () => {
    // Prepare
    const cache = new DynamoDbPriceCache({ client: table.client, tableName: table.tableName });
    const day = priceDay({ date: '2025-01-20' }, 4);

    // Act
    await cache.put(day);
    const raw = await table.sdk.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'PRICES#DK1' }, sk: { S: '2025-01-20' } },
      }),
    );

    // Assess
    expect(raw.Item?.expiresAt).toStrictEqual({ N: String(Date.parse('2025-02-03T00:00:00Z') / 1000) });
    expect(typeof raw.Item?.slots?.S).toBe('string');
    expect(JSON.parse(raw.Item?.slots?.S ?? '')).toHaveLength(4);
  });

  it('throws PriceUnavailableError when a stored day is damaged', async () => {
    // Prepare
    const cache = new DynamoDbPriceCache({ client: table.client, tableName: table.tableName });
    await table.sdk.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: 'PRICES#DK1' },
          sk: { S: '2025-01-21' },
          area: { S: 'DK1' },
          date: { S: '2025-01-21' },
          fetchedAt: { S: '2025-01-20T12:00:00.000Z' },
          complete: { BOOL: true },
          slots: { S: '[{"start":' },
        },
      }),
    );

    // Act
    const error = await cache.get('DK1', '2025-01-21').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PriceUnavailableError);
    expect((error as Error).message).toContain('PRICES#DK1 / 2025-01-21');
  });

  it('refuses to cache a day with a malformed date', async () => {
    // Prepare
    const cache = new DynamoDbPriceCache({ client: table.client, tableName: table.tableName });

    // Act
    const error = await cache.put(priceDay({ date: '15-01-2025' })).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PriceUnavailableError);
    expect((error as Error).message).toContain('date');
  });

  it('throws PriceUnavailableError with the cause when the table does not exist', async () => {
    // Prepare
    const client = createLocalClient(inject('dynamoDbEndpoint'), 1);
    const cache = new DynamoDbPriceCache({ client, tableName: 'no-such-table' });

    // Act
    const readError = await cache.get('DK1', '2025-01-15').catch((e: unknown) => e);
    const writeError = await cache.put(priceDay()).catch((e: unknown) => e);

    // Assess
    for (const error of [readError, writeError]) {
      expect(error).toBeInstanceOf(PriceUnavailableError);
      expect((error as Error).message).toContain('no-such-table');
      expect((error as Error).cause).toMatchObject({ code: 'ResourceNotFoundException' });
    }
  });
});
