import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbConditionLog } from '../../lambdas/adapters/dynamodb/condition-log.ts';
import { FileConditionLog } from '../../lambdas/adapters/local/file-condition-log.ts';
import type { ConditionLog } from '../../lambdas/ports.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { tempDir } from '../support/temp-dir.ts';

let table: TestTable;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  table = await createTestTable(inject('dynamoDbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const T0 = new Date('2026-11-25T10:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const stores: [string, () => Promise<ConditionLog>][] = [
  [
    'DynamoDB',
    async () =>
      new DynamoDbConditionLog({
        client: table.client,
        tableName: table.tableName,
        account: `a${Math.random()}`.replace('.', ''),
      }),
  ],
  [
    'local files',
    async () =>
      new FileConditionLog({ dir: await tempDir('stopwatt-conditions-', cleanups), account: 'home' }),
  ],
];

describe.each(stores)('condition log (%s)', (_name, create) => {
  it('keeps the start of an ongoing episode across later sightings', async () => {
    // Prepare
    const log = await create();

    // Act
    const first = await log.since('price-feed-unavailable', T0);
    const again = await log.since('price-feed-unavailable', later(70));

    // Assess
    expect(first).toEqual(T0);
    expect(again).toEqual(T0);
  });

  it('starts a new episode after the condition was cleared', async () => {
    // Prepare
    const log = await create();
    await log.since('price-feed-unavailable', T0);

    // Act
    await log.clear('price-feed-unavailable');
    await log.clear('price-feed-unavailable');
    const next = await log.since('price-feed-unavailable', later(300));

    // Assess
    expect(next).toEqual(later(300));
  });

  it('clears a condition that was never seen without complaint', async () => {
    const log = await create();

    await expect(log.clear('never-seen')).resolves.toBeUndefined();
  });
});
