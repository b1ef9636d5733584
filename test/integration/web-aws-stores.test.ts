import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Ssm } from '../../lambdas/adapters/aws/ssm.ts';
import { ConfigError } from '../../lambdas/errors.ts';
import { DynamoDbControlLog } from '../../lambdas/web/aws/dynamodb-control-log.ts';
import { DynamoDbSignInAttempts } from '../../lambdas/web/aws/dynamodb-sign-in-attempts.ts';
import { DynamoDbSignInLinks } from '../../lambdas/web/aws/dynamodb-sign-in-links.ts';
import { DynamoDbTickStatus } from '../../lambdas/web/aws/dynamodb-tick-status.ts';
import { SsmSigningKeys } from '../../lambdas/web/aws/ssm-signing-keys.ts';
import { createTestTable, partitionItems, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { SsmServer } from '../support/ssm-server.ts';

let table: TestTable;
let ssm: SsmServer;
let ssmClient: Ssm;

beforeAll(async () => {
  [table, ssm] = await Promise.all([createTestTable(inject('dynamoDbEndpoint')), SsmServer.start()]);
  ssmClient = new Ssm({ endpoint: ssm.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  await Promise.all([table?.drop(), ssm?.close()]);
});

const T0 = new Date('2026-12-02T18:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const newAccount = () => `a${randomUUID().slice(0, 8)}`;
const stores = (account: string) => ({ client: table.client, tableName: table.tableName, account });

describe('DynamoDbSignInLinks', () => {
  it('lets a link be used exactly once, also by concurrent callers', async () => {
    // Prepare
    const links = new DynamoDbSignInLinks(stores(newAccount()));
    await links.create(hash('nonce-1'), minutes(10));

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => links.consume(hash('nonce-1'), T0)));

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await links.consume(hash('nonce-1'), minutes(1))).toBe(false);
  });

  it('refuses an expired, an unknown or a malformed link', async () => {
    const links = new DynamoDbSignInLinks(stores(newAccount()));
    await links.create(hash('old'), minutes(10));

    expect(await links.consume(hash('old'), minutes(10))).toBe(false);
    expect(await links.consume(hash('never-created'), T0)).toBe(false);
    expect(await links.consume('not-a-hash', T0)).toBe(false);
  });

  it('stores only the hash under the account’s web partition, with a TTL', async () => {
    const account = newAccount();
    await new DynamoDbSignInLinks(stores(account)).create(hash('secret-nonce'), minutes(10));

    const items = await partitionItems(table, `WEB#${account}`);

    expect(items).toEqual([
      expect.objectContaining({
        sk: `LINK#${hash('secret-nonce')}`,
        validUntil: minutes(10).getTime(),
        expiresAt: minutes(10).getTime() / 1000,
      }),
    ]);
    expect(JSON.stringify(items)).not.toContain('secret-nonce');
  });
});

describe('DynamoDbSignInAttempts', () => {
  it('counts one client’s failures since a time, apart from other clients', async () => {
    // Prepare
    const attempts = new DynamoDbSignInAttempts(stores(newAccount()));
    for (const at of [minutes(0), minutes(5), minutes(5), minutes(20)])
      await attempts.recordFailure('203.0.113.7', at);
    await attempts.recordFailure('203.0.113.70', minutes(21));
    await attempts.recordFailure('*', minutes(21));

    // Act
    const counts = await Promise.all([
      attempts.failures('203.0.113.7', minutes(5)),
      attempts.failures('203.0.113.7', minutes(-1)),
      attempts.failures('203.0.113.70', minutes(0)),
      attempts.failures('*', minutes(0)),
      attempts.failures('2001:db8::1', minutes(0)),
    ]);

    // Assess
    expect(counts).toEqual([3, 4, 1, 1, 0]);
  });
});

describe('DynamoDbControlLog', () => {
  it('returns the latest changes newest first, at most the limit', async () => {
    const log = new DynamoDbControlLog({ ...stores(newAccount()), ttlDays: 90 });
    await log.record({ at: minutes(1), action: 'once', detail: 'energyKwh=30' });
    await log.record({ at: minutes(2), action: 'stop-now', detail: 'session 42' });
    await log.record({ at: minutes(3), action: 'clear', detail: '' });

    expect(await log.recent(2)).toEqual([
      { at: minutes(3), action: 'clear', detail: '' },
      { at: minutes(2), action: 'stop-now', detail: 'session 42' },
    ]);
  });
});

describe('DynamoDbTickStatus', () => {
  it('is empty before the first tick and returns the latest one after', async () => {
    const ticks = new DynamoDbTickStatus(stores(newAccount()));
    expect(await ticks.get()).toBeNull();
    const first = {
      at: minutes(1),
      action: 'continue',
      detail: 'charging',
      error: null,
      warnings: [],
      tokenExpiresAt: null,
    };
    const second = { ...first, at: minutes(2), warnings: ['price feed down'], tokenExpiresAt: minutes(600) };

    await ticks.put(first);
    await ticks.put(second);

    expect(await ticks.get()).toEqual(second);
  });
});

describe('SsmSigningKeys', () => {
  it('refuses to make up a key where only reading is allowed', async () => {
    const keys = new SsmSigningKeys({ client: ssmClient, account: newAccount() });

    await expect(keys.current()).rejects.toThrow(ConfigError);
    await expect(keys.current()).rejects.toThrow(/run 'stopwatt web-link'/);
  });

  it('creates one SecureString key on first use, even when two callers race', async () => {
    // Prepare
    const account = newAccount();
    const creators = [1, 2].map(() => new SsmSigningKeys({ client: ssmClient, account, create: true }));

    // Act
    const [a, b] = await Promise.all(creators.map((keys) => keys.current()));
    const reader = await new SsmSigningKeys({ client: ssmClient, account }).current();

    // Assess
    expect(a?.secret.length).toBe(32);
    expect(Buffer.from(b?.secret ?? []).equals(Buffer.from(a?.secret ?? []))).toBe(true);
    expect(Buffer.from(reader.secret).equals(Buffer.from(a?.secret ?? []))).toBe(true);
    expect(reader.generation).toBe(1);
    expect(ssm.parameters.get(`/stopwatt/${account}/web/signing-key`)?.type).toBe('SecureString');
  });

  it('replaces the secret and bumps the generation on revoke; a cached reader sees it after its TTL', async () => {
    // Prepare
    const account = newAccount();
    let now = 0;
    const reader = new SsmSigningKeys({ client: ssmClient, account, cacheTtlMs: 5_000, now: () => now });
    const cli = new SsmSigningKeys({ client: ssmClient, account, create: true });
    const before = await cli.current();
    expect((await reader.current()).generation).toBe(1);

    // Act
    const after = await cli.revoke();
    now = 4_999;
    const stale = await reader.current();
    now = 5_000;
    const fresh = await reader.current();

    // Assess
    expect(after.generation).toBe(2);
    expect(Buffer.from(after.secret).equals(Buffer.from(before.secret))).toBe(false);
    expect(stale.generation).toBe(1);
    expect(fresh.generation).toBe(2);
    expect(Buffer.from(fresh.secret).equals(Buffer.from(after.secret))).toBe(true);
  });

  it('names the parameter but never its value when the stored key is broken', async () => {
    const account = newAccount();
    ssm.set(
      `/stopwatt/${account}/web/signing-key`,
      '{"secret":"short-but-secret","generation":1}',
      'SecureString',
    );

    const failure = new SsmSigningKeys({ client: ssmClient, account }).current();

    await expect(failure).rejects.toThrow(`/stopwatt/${account}/web/signing-key`);
    await expect(failure).rejects.not.toThrow(/short-but-secret/);
  });
});
