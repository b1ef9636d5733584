/**
 * How long a warm check function keeps what it reads from SSM: the real handler against the
 * simulator, the SSM server (which counts decrypting and plain reads) and DynamoDB Local, on one
 * injected clock. The decrypted token is kept up to an hour, its version is checked without
 * decryption at most once a minute, it is read again at once on a 401; rules are read each minute.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CheckResult } from '../../lambdas/check/handler.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { AmpecoSimulator, ManualClock, type SimUser } from '../../lambdas/simulator/server.ts';
import { baseEnv, runCli } from '../support/cli-runner.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { createTestHandler, OutputCapture } from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

let simulator: AmpecoSimulator;
let simClock: ManualClock;
let ssm: SsmServer;
let table: TestTable;
let output: OutputCapture;
let account: string;
let token: string;

function clock(): Clock {
  return { now: () => new Date(simClock.now()), sleep: async (ms) => simClock.advance(Math.max(0, ms)) };
}

/** A warm Lambda instance reading on every tick (idle interval 0). */
function newHandler(): (event: unknown) => Promise<CheckResult> {
  const instance = createTestHandler({
    apiUrl: simulator.url,
    ssmUrl: ssm.url,
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tableName: table.tableName,
    account,
    clock: clock(),
  });
  return instance.handler;
}

function parameter(leaf: 'token' | 'rules' | 'credentials'): string {
  return `/stopwatt/${account}/${leaf}`;
}

/** The bearer and status of every charge-points request so far. */
function bearers(): Array<{ status: number; bearer: string }> {
  return simulator.requests
    .filter((r) => r.path === '/api/v1/app/personal/charge-points')
    .map((r) => ({ status: r.status, bearer: (r.headers.authorization ?? '').replace(/^Bearer /, '') }));
}

function newToken(): string {
  return `token-${randomBytes(8).toString('hex')}`;
}

/** Ticks the handler at `T0 + offset` for each offset. */
async function tickAt(handler: (event: unknown) => Promise<CheckResult>, offsetsMs: number[]) {
  const results: CheckResult[] = [];
  for (const offset of offsetsMs) {
    simClock.set(T0 + offset);
    results.push(await handler({ account }));
  }
  return results;
}

beforeAll(async () => {
  ssm = await SsmServer.start();
  table = await createTestTable(inject('dynamoDbEndpoint'));
});

afterAll(async () => {
  await ssm?.close();
  await table?.drop();
});

beforeEach(async () => {
  simClock = new ManualClock(T0);
  token = newToken();
  simulator = await AmpecoSimulator.start({ clock: simClock, token });
  account = `cache-${randomBytes(3).toString('hex')}`;
  ssm.set(parameter('token'), token, 'SecureString');
  ssm.set(parameter('rules'), JSON.stringify({ energyKwh: 50 }));
  output = new OutputCapture();
});

afterEach(async () => {
  output.restore();
  await simulator.close();
});

describe('the token and rules caches of a warm check function', () => {
  it('decrypts the token once in an hour of ticks and checks its version at most once a minute', async () => {
    // Prepare: a tick every 50 s for an hour, on one warm instance.
    const handler = newHandler();
    const offsets = Array.from({ length: 72 }, (_, i) => i * 50 * SECOND_MS);
    const checksPerTick: number[] = [];

    // Act
    for (const offset of offsets) {
      const before = ssm.readsOf(parameter('token')).plain;
      await tickAt(handler, [offset]);
      checksPerTick.push(ssm.readsOf(parameter('token')).plain - before);
    }

    // Assess
    expect(ssm.readsOf(parameter('token')).decrypted).toBe(1);
    const checkTimes = offsets.filter((_, i) => (checksPerTick[i] ?? 0) > 0);
    expect(checkTimes.length).toBeLessThanOrEqual(60);
    expect(checkTimes.length).toBeGreaterThan(0);
    expect(checkTimes.every((at, i) => i === 0 || at - (checkTimes[i - 1] ?? 0) >= MINUTE_MS)).toBe(true);
    expect(checksPerTick.every((n) => n <= 1)).toBe(true);
    // Token mode: the credentials parameter does not exist, so nothing is decrypted there either.
    expect(ssm.readsOf(parameter('credentials')).decrypted).toBe(0);
    expect(bearers().every((r) => r.status === 200 && r.bearer === token)).toBe(true);
  });

  it('uses a token from `stopwatt token set` at the next version check, within a minute and without a 401', async () => {
    // Prepare
    const handler = newHandler();
    await tickAt(handler, [0]);
    const replacement = newToken();

    // Act: the operator stores a new token at 0:30; the app's old one stops working then.
    simClock.set(T0 + 30 * SECOND_MS);
    const set = await runCli(
      ['token', 'set', '--account', account, '--region', LOCAL_REGION],
      {
        ...Object.fromEntries(Object.entries(baseEnv()).filter(([key]) => !key.startsWith('AWS_'))),
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      { input: `${replacement}\n` },
    );
    simulator.setToken(replacement);
    const [next] = await tickAt(handler, [MINUTE_MS]);

    // Assess
    expect(set.code).toBe(0);
    expect(next?.action).toBe('none');
    expect(bearers()).toEqual([
      { status: 200, bearer: token },
      { status: 200, bearer: replacement },
    ]);
    expect(ssm.readsOf(parameter('token'))).toMatchObject({ decrypted: 2, plain: 1 });
    expect(output.text()).not.toContain(replacement);
  });

  it('reads the token again at once on a 401 and finishes the tick with the new one', async () => {
    // Prepare: the token is replaced 10 s after a tick, long before the next version check.
    const handler = newHandler();
    await tickAt(handler, [0]);
    const replacement = newToken();
    simClock.set(T0 + 10 * SECOND_MS);
    ssm.set(parameter('token'), replacement, 'SecureString');
    simulator.setToken(replacement);

    // Act
    const [result] = await tickAt(handler, [20 * SECOND_MS]);

    // Assess
    expect(result?.action).toBe('none');
    expect(bearers()).toEqual([
      { status: 200, bearer: token },
      { status: 401, bearer: token },
      { status: 200, bearer: replacement },
    ]);
    expect(ssm.readsOf(parameter('token'))).toStrictEqual({ decrypted: 2, plain: 0, missing: 0 });
    expect(output.text()).not.toContain(replacement);
  });

  it('still fails the tick on a 401 when the stored token is the rejected one', async () => {
    // Prepare
    const handler = newHandler();
    await tickAt(handler, [0]);
    simulator.setToken(newToken());

    // Act
    const error = await handler({ account }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AuthError' });
    expect(bearers().map((r) => r.status)).toEqual([200, 401]);
    expect(ssm.readsOf(parameter('token')).decrypted).toBe(2);
  });

  it('decrypts the token again once it has been kept for an hour', async () => {
    // Prepare
    const handler = newHandler();
    const decrypted: number[] = [];

    // Act
    for (const offset of [0, 59 * MINUTE_MS, 60 * MINUTE_MS, 61 * MINUTE_MS]) {
      await tickAt(handler, [offset]);
      decrypted.push(ssm.readsOf(parameter('token')).decrypted);
    }

    // Assess
    expect(decrypted).toEqual([1, 1, 2, 2]);
  });

  it('applies rules changed in SSM within 60 s', async () => {
    // Prepare: 3 kWh charged; the rules say stop at 50 kWh, then at 2 kWh from 0:01.
    const session = simulator.addSession({ energyWh: 3_000 });
    const handler = newHandler();
    await tickAt(handler, [0]);
    simClock.set(T0 + SECOND_MS);
    ssm.set(parameter('rules'), JSON.stringify({ energyKwh: 2 }));

    // Act
    const [before, at60] = await tickAt(handler, [59 * SECOND_MS, 60 * SECOND_MS]);

    // Assess
    expect(before?.action).toBe('continue');
    expect(at60).toMatchObject({ action: 'end', reason: 'energy', sessionId: session.id });
    expect(ssm.readsOf(parameter('rules'))).toStrictEqual({ decrypted: 0, plain: 2, missing: 0 });
  });
});

describe('the token cache in login mode', () => {
  function loginUser(): SimUser {
    const user: SimUser = {
      username: 'driver@example.com',
      password: `pw-${randomBytes(8).toString('hex')}`,
      clientId: '1',
      clientSecret: `cs-${randomBytes(12).toString('hex')}`,
    };
    simulator.addUser(user);
    ssm.set(parameter('credentials'), JSON.stringify(user), 'SecureString');
    return user;
  }

  it('decrypts neither token nor credentials again in an hour of ticks without a login', async () => {
    // Prepare
    loginUser();
    const handler = newHandler();

    // Act
    await tickAt(
      handler,
      Array.from({ length: 60 }, (_, i) => i * MINUTE_MS),
    );

    // Assess: the credentials are only looked for (a version check), never read.
    expect(ssm.readsOf(parameter('token')).decrypted).toBe(1);
    expect(ssm.readsOf(parameter('credentials'))).toMatchObject({ decrypted: 0 });
    expect(ssm.readsOf(parameter('credentials')).plain).toBeLessThanOrEqual(60);
    expect(simulator.loginRequests()).toEqual([]);
  });

  it('uses a token another instance stored after a 401, without logging in again', async () => {
    // Prepare: two warm instances with stored credentials; the first one renews the token.
    const user = loginUser();
    const [first, second] = [newHandler(), newHandler()];
    await tickAt(first, [0]);
    await tickAt(second, [SECOND_MS]);
    simulator.setToken(newToken());
    await tickAt(first, [10 * SECOND_MS]);
    const logins = simulator.loginRequests().length;

    // Act
    const [result] = await tickAt(second, [20 * SECOND_MS]);

    // Assess
    expect(logins).toBe(1);
    expect(result?.action).toBe('none');
    expect(simulator.loginRequests()).toHaveLength(1);
    expect(bearers().map((r) => r.status)).toEqual([200, 200, 401, 200, 401, 200]);
    expect(output.text()).not.toContain(user.password);
  });
});
