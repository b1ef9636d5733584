import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Ssm } from '../../lambdas/adapters/aws/ssm.ts';
import { SsmCredentialsStore } from '../../lambdas/adapters/ssm/credentials-store.ts';
import {
  createSsmClient,
  SsmRulesStore,
  type SsmStoreOptions,
  SsmTokenStore,
} from '../../lambdas/adapters/ssm/parameters.ts';
import { parseRules } from '../../lambdas/config.ts';
import { ConfigError, ParameterStoreError } from '../../lambdas/errors.ts';
import { SsmServer } from '../support/ssm-server.ts';

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl';
const SECRET = 'correct-horse-battery-staple';

let server: SsmServer;
let client: Ssm;
let clock: number;

beforeAll(async () => {
  server = await SsmServer.start();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.parameters.clear();
  server.requests.length = 0;
  clock = 1_000_000;
  // The real client, pointed at loopback; three attempts keep the retry tests short.
  client = createSsmClient({
    endpoint: server.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
});

function options(overrides: Partial<SsmStoreOptions> = {}): SsmStoreOptions {
  return { client, account: 'alice', now: () => clock, ...overrides };
}

describe('SsmTokenStore against a loopback SSM server', () => {
  it('returns null when the token parameter does not exist', async () => {
    // Prepare
    const store = new SsmTokenStore(options());

    // Act
    const token = await store.get();

    // Assess
    expect(token).toBeNull();
    expect(server.requestsFor('GetParameter')).toHaveLength(1);
  });

  it('writes the token as a SecureString and reads it back decrypted', async () => {
    // Prepare
    const writer = new SsmTokenStore(options());
    const reader = new SsmTokenStore(options());

    // Act
    await writer.put(TOKEN);
    const token = await reader.get();

    // Assess
    expect(token).toBe(TOKEN);
    expect(server.parameters.get('/stopwatt/alice/token')).toMatchObject({
      type: 'SecureString',
      version: 1,
    });
    expect(server.requestsFor('PutParameter')[0]?.body).toMatchObject({
      Name: '/stopwatt/alice/token',
      Type: 'SecureString',
      Overwrite: true,
    });
    expect(server.requestsFor('GetParameter')[0]?.body).toStrictEqual({
      Name: '/stopwatt/alice/token',
      WithDecryption: true,
    });
  });

  it('overwrites an existing token with a new version', async () => {
    // Prepare
    const store = new SsmTokenStore(options());
    await store.put('old-token');

    // Act
    await store.put(TOKEN);

    // Assess
    expect(server.parameters.get('/stopwatt/alice/token')).toMatchObject({ value: TOKEN, version: 2 });
  });

  it('reuses a read value until the cache TTL has passed', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', 'first', 'SecureString');
    const store = new SsmTokenStore(options({ cacheTtlMs: 60_000 }));

    // Act
    const first = await store.get();
    server.set('/stopwatt/alice/token', 'second', 'SecureString');
    clock += 59_999;
    const cached = await store.get();
    clock += 1;
    const refreshed = await store.get();

    // Assess
    expect([first, cached, refreshed]).toStrictEqual(['first', 'first', 'second']);
    expect(server.requestsFor('GetParameter')).toHaveLength(2);
  });

  it('caches a missing parameter too, and a put replaces the cached value', async () => {
    // Prepare
    const store = new SsmTokenStore(options());
    await store.get();
    await store.get();

    // Act
    await store.put(TOKEN);
    const afterPut = await store.get();

    // Assess
    expect(afterPut).toBe(TOKEN);
    expect(server.requestsFor('GetParameter')).toHaveLength(1);
  });

  it('reads on every call when caching is off', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', TOKEN, 'SecureString');
    const store = new SsmTokenStore(options({ cacheTtlMs: 0 }));

    // Act
    await store.get();
    await store.get();

    // Assess
    expect(server.requestsFor('GetParameter')).toHaveLength(2);
  });

  it('keeps a decrypted token up to its max age, checking only its version without decryption meanwhile', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', TOKEN, 'SecureString');
    const store = new SsmTokenStore(options({ cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 }));

    // Act: one read a minute for 59 minutes, then one at the hour.
    const tokens: Array<string | null> = [];
    for (let minute = 0; minute < 60; minute += 1) {
      tokens.push(await store.get());
      clock += 60_000;
    }
    const afterAnHour = server.readsOf('/stopwatt/alice/token');
    tokens.push(await store.get());

    // Assess
    expect(new Set(tokens)).toStrictEqual(new Set([TOKEN]));
    expect(afterAnHour).toStrictEqual({ decrypted: 1, plain: 59, missing: 0 });
    expect(server.readsOf('/stopwatt/alice/token')).toStrictEqual({ decrypted: 2, plain: 59, missing: 0 });
    const checks = server.requestsFor('GetParameter').slice(1, 60);
    expect(checks.every((r) => JSON.stringify(r.body) === '{"Name":"/stopwatt/alice/token"}')).toBe(true);
  });

  it('decrypts again as soon as a version check finds a new version', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', 'first', 'SecureString');
    const store = new SsmTokenStore(options({ cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 }));
    await store.get();
    server.set('/stopwatt/alice/token', 'second', 'SecureString');

    // Act
    clock += 59_999;
    const unchecked = await store.get();
    clock += 1;
    const checked = await store.get();

    // Assess
    expect([unchecked, checked]).toStrictEqual(['first', 'second']);
    expect(server.readsOf('/stopwatt/alice/token')).toStrictEqual({ decrypted: 2, plain: 1, missing: 0 });
  });

  it('decrypts at once on a fresh read, whatever the cache holds', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', 'first', 'SecureString');
    const store = new SsmTokenStore(options({ cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 }));
    await store.get();
    server.set('/stopwatt/alice/token', 'second', 'SecureString');

    // Act
    const fresh = await store.get({ fresh: true });
    const cached = await store.get();

    // Assess
    expect([fresh, cached]).toStrictEqual(['second', 'second']);
    expect(server.readsOf('/stopwatt/alice/token')).toStrictEqual({ decrypted: 2, plain: 0, missing: 0 });
  });

  it('keeps a token it wrote itself at the version SSM gave it, without decrypting it back', async () => {
    // Prepare
    const store = new SsmTokenStore(options({ cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 }));
    await store.put(TOKEN);

    // Act
    clock += 60_000;
    const token = await store.get();

    // Assess
    expect(token).toBe(TOKEN);
    expect(server.readsOf('/stopwatt/alice/token')).toStrictEqual({ decrypted: 0, plain: 1, missing: 0 });
  });

  it('notices a token stored where none was, at the next version check', async () => {
    // Prepare
    const store = new SsmTokenStore(options({ cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 }));
    const before = await store.get();
    server.set('/stopwatt/alice/token', TOKEN, 'SecureString');

    // Act
    clock += 60_000;
    const after = await store.get();

    // Assess
    expect([before, after]).toStrictEqual([null, TOKEN]);
    expect(server.readsOf('/stopwatt/alice/token')).toStrictEqual({ decrypted: 1, plain: 1, missing: 1 });
  });

  it('uses the configured prefix', async () => {
    // Prepare
    const store = new SsmTokenStore(options({ prefix: '/ev/stopwatt/' }));

    // Act
    await store.put(TOKEN);

    // Assess
    expect(store.parameterName).toBe('/ev/stopwatt/alice/token');
    expect([...server.parameters.keys()]).toStrictEqual(['/ev/stopwatt/alice/token']);
  });

  it('rejects an account name that would change the parameter path', () => {
    // Prepare
    const build = () => new SsmTokenStore(options({ account: '../bob' }));

    // Act + Assess
    expect(build).toThrow(ConfigError);
  });

  it('retries throttling and server errors', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', TOKEN, 'SecureString');
    server.failNext('ThrottlingException', 1);
    server.failNext('InternalServerError', 1);
    const store = new SsmTokenStore(options());

    // Act
    const token = await store.get();

    // Assess
    expect(token).toBe(TOKEN);
    expect(server.requestsFor('GetParameter')).toHaveLength(3);
  });

  it('surfaces throttling that outlasts the retries as ParameterStoreError naming the parameter', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', TOKEN, 'SecureString');
    server.failNext('ThrottlingException', 3);
    const store = new SsmTokenStore(options());

    // Act
    const error = await store.get().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect((error as ParameterStoreError).parameter).toBe('/stopwatt/alice/token');
    expect((error as Error).message).toContain('/stopwatt/alice/token');
    expect((error as Error).message).not.toContain(TOKEN);
    expect((error as Error).cause).toMatchObject({ code: 'ThrottlingException' });
    expect(server.requestsFor('GetParameter')).toHaveLength(3);
  });

  it('does not retry access denied, and does not cache the failure', async () => {
    // Prepare
    server.set('/stopwatt/alice/token', TOKEN, 'SecureString');
    server.failNext('AccessDeniedException', 1);
    const store = new SsmTokenStore(options());

    // Act
    const error = await store.get().catch((e: unknown) => e);
    const retried = await store.get();

    // Assess
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect((error as Error).cause).toMatchObject({ code: 'AccessDeniedException' });
    expect(retried).toBe(TOKEN);
    expect(server.requestsFor('GetParameter')).toHaveLength(2);
  });

  it('throws ParameterStoreError when the token cannot be written', async () => {
    // Prepare
    server.failNext('AccessDeniedException', 1);
    const store = new SsmTokenStore(options());

    // Act
    const error = await store.put(TOKEN).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect((error as Error).message).toContain('cannot write SSM parameter /stopwatt/alice/token');
    expect((error as Error).message).not.toContain(TOKEN);
  });
});

describe('SsmRulesStore against a loopback SSM server', () => {
  it('returns null when no rules are stored', async () => {
    // Prepare
    const store = new SsmRulesStore(options());

    // Act
    const rules = await store.get();

    // Assess
    expect(rules).toBeNull();
  });

  it('writes the rules as JSON in a String parameter and reads them back', async () => {
    // Prepare
    const rules = parseRules({ energyKwh: 20, maxPricePerKwh: 3.5, stopBy: '07:00', priceSource: 'spot' });
    const store = new SsmRulesStore(options());

    // Act
    await store.put(rules);
    const read = await new SsmRulesStore(options()).get();

    // Assess
    expect(read).toStrictEqual(rules);
    const stored = server.parameters.get('/stopwatt/alice/rules');
    expect(stored?.type).toBe('String');
    expect(JSON.parse(stored?.value ?? '')).toStrictEqual(rules);
    // A String needs no decryption: the flag is left out of the request.
    expect(server.requestsFor('GetParameter')[0]?.body).toStrictEqual({ Name: '/stopwatt/alice/rules' });
  });

  it('fills defaults for rules written by hand', async () => {
    // Prepare
    server.set('/stopwatt/alice/rules', '{"energyKwh": 12}');
    const store = new SsmRulesStore(options());

    // Act
    const rules = await store.get();

    // Assess
    expect(rules).toStrictEqual(parseRules({ energyKwh: 12 }));
  });

  it('throws ConfigError naming the parameter when the value is not JSON', async () => {
    // Prepare
    server.set('/stopwatt/alice/rules', '{energyKwh: 12');
    const store = new SsmRulesStore(options());

    // Act
    const error = await store.get().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('/stopwatt/alice/rules');
  });

  it('throws ConfigError naming the parameter and the field when a rule is invalid', async () => {
    // Prepare
    server.set('/stopwatt/alice/rules', '{"energyKwh": -5, "colour": "red"}');
    const store = new SsmRulesStore(options());

    // Act
    const error = await store.get().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('/stopwatt/alice/rules');
    expect((error as Error).message).toContain('energyKwh');
  });
});

describe('SsmCredentialsStore against a loopback SSM server', () => {
  const credentials = {
    username: 'driver@example.com',
    password: SECRET,
    clientId: '1',
    clientSecret: 'client-secret-value',
  };

  it('writes credentials as a SecureString and reads them back', async () => {
    // Prepare
    const store = new SsmCredentialsStore(options());
    const withRefresh = { ...credentials, refreshToken: 'def50200refresh' };

    // Act
    await store.put(withRefresh);
    const read = await new SsmCredentialsStore(options()).get();

    // Assess
    expect(read).toStrictEqual(withRefresh);
    expect(server.parameters.get('/stopwatt/alice/credentials')?.type).toBe('SecureString');
  });

  it('returns null when no credentials are stored', async () => {
    // Prepare
    const store = new SsmCredentialsStore(options());

    // Act
    const read = await store.get();

    // Assess
    expect(read).toBeNull();
  });

  it('tells whether credentials are stored without ever decrypting them', async () => {
    // Prepare
    const store = new SsmCredentialsStore(options({ cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 }));
    const before = await store.stored();
    server.set('/stopwatt/alice/credentials', JSON.stringify(credentials), 'SecureString');

    // Act
    const cached = await store.stored();
    clock += 60_000;
    const checked = await store.stored();
    const read = await store.get();

    // Assess
    expect([before, cached, checked]).toStrictEqual([false, false, true]);
    expect(read).toStrictEqual(credentials);
    expect(server.readsOf('/stopwatt/alice/credentials')).toStrictEqual({
      decrypted: 1,
      plain: 1,
      missing: 1,
    });
  });

  it('throws ConfigError without the secret when the value is not JSON', async () => {
    // Prepare
    server.set('/stopwatt/alice/credentials', `password=${SECRET}`, 'SecureString');
    const store = new SsmCredentialsStore(options());

    // Act
    const error = await store.get().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('/stopwatt/alice/credentials');
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('throws ConfigError naming the missing field', async () => {
    // Prepare
    server.set(
      '/stopwatt/alice/credentials',
      JSON.stringify({ username: 'u', password: SECRET }),
      'SecureString',
    );
    const store = new SsmCredentialsStore(options());

    // Act
    const error = await store.get().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('clientSecret');
    expect((error as Error).message).not.toContain(SECRET);
  });
});

describe('SsmServer', () => {
  it('refuses to overwrite without Overwrite and hides SecureString values without decryption', async () => {
    // Prepare: the AWS SDK's own client, so the test server is held to the real protocol.
    const client = new SSMClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    await client.send(new PutParameterCommand({ Name: '/x/secret', Value: SECRET, Type: 'SecureString' }));

    // Act
    const overwrite = await client
      .send(new PutParameterCommand({ Name: '/x/secret', Value: 'other', Type: 'SecureString' }))
      .catch((e: unknown) => e);
    const encrypted = await client.send(new GetParameterCommand({ Name: '/x/secret' }));
    const decrypted = await client.send(new GetParameterCommand({ Name: '/x/secret', WithDecryption: true }));

    // Assess
    expect(overwrite).toMatchObject({ name: 'ParameterAlreadyExists' });
    expect(encrypted.Parameter?.Value).not.toBe(SECRET);
    expect(decrypted.Parameter).toMatchObject({
      Name: '/x/secret',
      Type: 'SecureString',
      Value: SECRET,
      Version: 1,
      ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x/secret',
    });
    expect(decrypted.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    client.destroy();
  });
});
