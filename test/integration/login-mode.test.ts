/**
 * Login mode end to end: the real check handler against the AMPECO simulator (Passport login with
 * rate limit and rotating refresh tokens), the SSM loopback server and DynamoDB Local; and the
 * LoginTokenProvider on its own against the simulator.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { type LoginCredentials, LoginTokenProvider } from '../../lambdas/adapters/ampeco/login.ts';
import type { CheckResult } from '../../lambdas/check/handler.ts';
import { jwtExpiry } from '../../lambdas/core/token-expiry.ts';
import { ApiError, AuthError } from '../../lambdas/errors.ts';
import type { Clock, TokenStore } from '../../lambdas/ports.ts';
import { AmpecoSimulator, ManualClock, type SimUser } from '../../lambdas/simulator/server.ts';
import { baseEnv, type CliRun, runCli } from '../support/cli-runner.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { createTestHandler, OutputCapture } from '../support/handler-harness.ts';
import { rejectionOf } from '../support/rejection.ts';
import { SsmServer } from '../support/ssm-server.ts';

const ACCOUNT = 'home';
const EVENT = { account: ACCOUNT };
const TOKEN_PARAMETER = '/stopwatt/home/token';
const CREDENTIALS_PARAMETER = '/stopwatt/home/credentials';
const RULES_PARAMETER = '/stopwatt/home/rules';
const T0 = Date.parse('2026-02-02T10:00:00Z');
/** The simulator's login rate limit window; ticks this far apart never share one. */
const MINUTE_MS = 60_000;

let simulator: AmpecoSimulator;
let simClock: ManualClock;
let ssm: SsmServer;
let table: TestTable;
let output: OutputCapture;
let user: SimUser;

/** The handler's clock is the simulator's: sessions and ticks share one timeline. */
function handlerClock(): Clock {
  return {
    now: () => new Date(simClock.now()),
    sleep: async (ms) => simClock.advance(Math.max(0, ms)),
  };
}

function newHandler(): (event: unknown) => Promise<CheckResult> {
  const instance = createTestHandler({
    apiUrl: simulator.url,
    ssmUrl: ssm.url,
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tableName: table.tableName,
    account: ACCOUNT,
    clock: handlerClock(),
  });
  return instance.handler;
}

function randomUser(overrides: Partial<SimUser> = {}): SimUser {
  return {
    username: `driver-${randomBytes(3).toString('hex')}@example.com`,
    password: `pw-${randomBytes(8).toString('hex')}`,
    clientId: '1',
    clientSecret: `cs-${randomBytes(12).toString('hex')}`,
    ...overrides,
  };
}

/** What `stopwatt login` stores for a simulator user. */
function loginOf(account: SimUser): LoginCredentials {
  const { username, password, clientId, clientSecret } = account;
  return { username, password, clientId, clientSecret };
}

function storeCredentials(credentials: LoginCredentials): void {
  ssm.set(CREDENTIALS_PARAMETER, JSON.stringify(credentials), 'SecureString');
}

function storedCredentials(): LoginCredentials {
  const stored = ssm.parameters.get(CREDENTIALS_PARAMETER);
  if (!stored) throw new Error('no credentials parameter');
  expect(stored.type).toBe('SecureString');
  return JSON.parse(stored.value) as LoginCredentials;
}

function storedToken(): string | undefined {
  const stored = ssm.parameters.get(TOKEN_PARAMETER);
  if (stored) expect(stored.type).toBe('SecureString');
  return stored?.value;
}

function chargePointRequests(): { status: number; bearer: string }[] {
  return simulator.requests
    .filter((r) => r.path === '/api/v1/app/personal/charge-points')
    .map((r) => ({ status: r.status, bearer: (r.headers.authorization ?? '').replace(/^Bearer /, '') }));
}

/** Spawns the CLI with `input` on a piped stdin, pointed at the SSM loopback server. */
function cli(args: string[], input: string): Promise<CliRun> {
  // The parent's AWS settings must not reach past the loopback server.
  const env = Object.fromEntries(Object.entries(baseEnv()).filter(([key]) => !key.startsWith('AWS_')));
  return runCli(
    args,
    {
      ...env,
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
    { input },
  );
}

/** A refresh grant sent by the test itself, as an attacker replaying an old refresh token would. */
async function refreshGrant(refreshToken: string, credentials: LoginCredentials): Promise<number> {
  const response = await fetch(`${simulator.url}/api/v1/app/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    }),
  });
  await response.arrayBuffer();
  return response.status;
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
  // A fresh simulator per test: its login rate limit and refresh tokens start clean.
  simClock = new ManualClock(T0);
  simulator = await AmpecoSimulator.start({
    clock: simClock,
    token: `current-${randomBytes(8).toString('hex')}`,
  });
  user = randomUser();
  simulator.addUser(user);
  ssm.parameters.clear();
  ssm.set(RULES_PARAMETER, JSON.stringify({ energyKwh: 20 }));
  output = new OutputCapture();
});

afterEach(async () => {
  output.restore();
  await simulator.close();
});

describe('login mode in the check handler', () => {
  it('logs in once on a 401, retries the call, and persists the new token in SSM', async () => {
    // Prepare
    const { id } = simulator.addSession({ energyWh: 3_000, powerKw: 11 });
    const expired = `expired-${randomBytes(8).toString('hex')}`;
    ssm.set(TOKEN_PARAMETER, expired, 'SecureString');
    storeCredentials({ ...user });
    const handler = newHandler();

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(result).toMatchObject({ action: 'continue', sessionId: id });
    expect(simulator.loginRequests().map((r) => r.status)).toEqual([200]);
    const fresh = storedToken();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(expired);
    expect(jwtExpiry(fresh ?? '')?.getTime()).toBe(T0 + 365 * 86_400_000);
    expect(chargePointRequests()).toEqual([
      { status: 401, bearer: expired },
      { status: 200, bearer: fresh },
    ]);
    // Drivee issues no refresh token: the login stays as it was.
    expect(storedCredentials()).toEqual({ ...user });
    expect(output.text()).not.toContain(user.password);
    expect(output.text()).not.toContain(user.clientSecret);
  });

  it('uses the persisted token on the next tick and after a cold start, without logging in again', async () => {
    // Prepare
    simulator.addSession({ energyWh: 3_000 });
    ssm.set(TOKEN_PARAMETER, 'expired-token-value', 'SecureString');
    storeCredentials({ ...user });
    const warm = newHandler();
    await warm(EVENT);
    simClock.advance(MINUTE_MS);

    // Act
    const second = await warm(EVENT);
    const cold = await newHandler()(EVENT);

    // Assess
    expect(second.action).toBe('continue');
    expect(cold.action).toBe('continue');
    expect(simulator.loginRequests()).toHaveLength(1);
    expect(chargePointRequests().map((r) => r.status)).toEqual([401, 200, 200, 200]);
  });

  it('logs in on the first tick when no token is stored yet (a fresh `stopwatt login`)', async () => {
    // Prepare
    storeCredentials({ ...user });

    // Act
    const result = await newHandler()(EVENT);

    // Assess
    expect(result.action).toBe('none');
    expect(simulator.loginRequests().map((r) => r.status)).toEqual([200]);
    expect(chargePointRequests()).toEqual([{ status: 200, bearer: storedToken() }]);
  });

  it('persists the newest rotating refresh token and uses it on the next login, so the old one is dead', async () => {
    // Prepare
    const rotating = randomUser({ refreshTokens: true });
    simulator.addUser(rotating);
    simulator.addSession({ energyWh: 3_000 });
    ssm.set(TOKEN_PARAMETER, 'expired-token-value', 'SecureString');
    storeCredentials(loginOf(rotating));
    await newHandler()(EVENT);
    const first = storedCredentials().refreshToken;
    const firstAccess = storedToken();
    // The access token is revoked; a later tick on a new Lambda instance must renew it.
    simulator.setToken(`revoked-${randomBytes(8).toString('hex')}`);
    simClock.advance(MINUTE_MS);

    // Act
    const result = await newHandler()(EVENT);

    // Assess
    expect(result.action).toBe('continue');
    expect(first).toMatch(/^[0-9a-f]{96}$/);
    const after = storedCredentials();
    expect(after.refreshToken).toMatch(/^[0-9a-f]{96}$/);
    expect(after.refreshToken).not.toBe(first);
    expect({ ...after, refreshToken: undefined }).toEqual(loginOf(rotating));
    expect(storedToken()).not.toBe(firstAccess);
    expect(simulator.loginRequests().map((r) => r.status)).toEqual([200, 200]);
    // The second login spent the first refresh token: replaying it now fails.
    expect(await refreshGrant(first ?? '', rotating)).toBe(400);
    expect(await refreshGrant(after.refreshToken ?? '', rotating)).toBe(200);
    expect(output.text()).not.toContain(String(first));
  });

  it('fails each tick with one clear auth error and exactly one login when the credentials are wrong', async () => {
    // Prepare
    simulator.addSession({ energyWh: 3_000 });
    ssm.set(TOKEN_PARAMETER, 'expired-token-value', 'SecureString');
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    storeCredentials({ ...user, password: wrongPassword });
    const handler = newHandler();
    const ticks = 6;
    const loginsPerTick: number[] = [];
    const errors: Error[] = [];

    // Act
    for (let tick = 0; tick < ticks; tick += 1) {
      const before = simulator.loginRequests().length;
      errors.push(await rejectionOf(handler(EVENT)));
      loginsPerTick.push(simulator.loginRequests().length - before);
      simClock.advance(MINUTE_MS);
    }

    // Assess
    expect(loginsPerTick).toEqual(Array.from({ length: ticks }, () => 1));
    const statuses = simulator.loginRequests().map((r) => r.status);
    expect(statuses.length).toBeLessThanOrEqual(ticks);
    expect(statuses).not.toContain(429);
    expect(statuses.every((status) => status === 400)).toBe(true);
    for (const error of errors) {
      expect(error.name).toBe('AuthError');
      expect(error.message).toMatch(
        /^POST \/api\/v1\/app\/oauth\/token: login failed with HTTP 400 The user credentials were incorrect\.; check the stored credentials \(stopwatt login\)$/,
      );
    }
    // One 401 per tick and no retry after the failed login; the stored token is left as it was.
    expect(chargePointRequests().map((r) => r.status)).toEqual(Array.from({ length: ticks }, () => 401));
    expect(storedToken()).toBe('expired-token-value');
    expect(output.text()).not.toContain(wrongPassword);
    expect(output.text()).not.toContain(user.clientSecret);
  });

  it('fails with the auth error and no login storm when there is no stored token and the login is wrong', async () => {
    // Prepare
    storeCredentials({ ...user, clientSecret: 'not-the-client-secret' });
    const handler = newHandler();

    // Act
    const first = await rejectionOf(handler(EVENT));
    const second = await rejectionOf(handler(EVENT));

    // Assess
    expect(first).toBeInstanceOf(AuthError);
    expect(first.message).toContain('login failed with HTTP 401 Client authentication failed');
    expect(second.message).toBe(first.message);
    expect(simulator.loginRequests()).toHaveLength(2);
    expect(chargePointRequests()).toEqual([]);
    expect(storedToken()).toBeUndefined();
  });
});

describe('stopwatt login and token set feed the check handler', () => {
  it('stores the login from standard input as a SecureString that the function logs in with', async () => {
    // Prepare
    simulator.addSession({ energyWh: 3_000 });
    const input = `${user.password}\n${user.clientSecret}\n`;

    // Act
    const stored = await cli(
      ['login', '--account', ACCOUNT, '--region', LOCAL_REGION, '--username', user.username],
      input,
    );
    const result = await newHandler()(EVENT);

    // Assess
    // stderr may carry the AWS SDK's Node version warning, but no stopwatt error.
    expect(stored.stderr).not.toContain('stopwatt:');
    expect(stored.code).toBe(0);
    expect(stored.stdout).toBe(`stored the login as SecureString ${CREDENTIALS_PARAMETER}\n`);
    expect(storedCredentials()).toEqual(loginOf(user));
    expect(result.action).toBe('continue');
    expect(simulator.loginRequests().map((r) => r.status)).toEqual([200]);
    expect(storedToken()).toBe(chargePointRequests()[0]?.bearer);
    expect(`${stored.stdout}${stored.stderr}`).not.toContain(user.password);
  });

  it('reads the e-mail from standard input too when --username is not given', async () => {
    // Prepare
    const input = `${user.username}\n${user.password}\n${user.clientSecret}\n`;

    // Act
    const stored = await cli(['login', '--account', ACCOUNT, '--region', LOCAL_REGION], input);

    // Assess
    expect(stored.stderr).not.toContain('stopwatt:');
    expect(stored.code).toBe(0);
    expect(storedCredentials()).toEqual(loginOf(user));
  });

  it('exits 2 with a one-line reason when standard input ends before the e-mail', async () => {
    // Act
    const stored = await cli(['login', '--account', ACCOUNT, '--region', LOCAL_REGION], '');

    // Assess
    expect(stored.code).toBe(2);
    expect(stored.stderr).toMatch(/^stopwatt: [^\n]+\n$/m);
    expect(ssm.parameters.has(CREDENTIALS_PARAMETER)).toBe(false);
  });

  it('stores a pasted token (without its Bearer prefix) that the function uses in token mode', async () => {
    // Prepare
    const token = `pasted-${randomBytes(8).toString('hex')}`;
    simulator.setToken(token);

    // Act
    const stored = await cli(
      ['token', 'set', '--account', ACCOUNT, '--region', LOCAL_REGION],
      `Bearer ${token}\n`,
    );
    const result = await newHandler()(EVENT);

    // Assess
    expect(stored.code).toBe(0);
    expect(stored.stderr).not.toContain('stopwatt:');
    expect(stored.stdout).toBe(`stored the token as SecureString ${TOKEN_PARAMETER}\n`);
    expect(storedToken()).toBe(token);
    expect(result.action).toBe('none');
    expect(simulator.loginRequests()).toEqual([]);
    expect(`${stored.stdout}${stored.stderr}`).not.toContain(token);
  });
});

describe('token mode in the check handler', () => {
  it('keeps working with a stored token and makes no login call', async () => {
    // Prepare
    const token = `pasted-${randomBytes(8).toString('hex')}`;
    simulator.setToken(token);
    const { id } = simulator.addSession({ energyWh: 3_000 });
    ssm.set(TOKEN_PARAMETER, token, 'SecureString');

    // Act
    const result = await newHandler()(EVENT);

    // Assess
    expect(result).toMatchObject({ action: 'continue', sessionId: id });
    expect(simulator.loginRequests()).toEqual([]);
  });

  it('fails on a 401 with the token-mode message and makes no login call', async () => {
    // Prepare
    simulator.addSession({ energyWh: 3_000 });
    ssm.set(TOKEN_PARAMETER, 'expired-token-value', 'SecureString');

    // Act
    const error = await rejectionOf(newHandler()(EVENT));

    // Assess
    expect(error.name).toBe('AuthError');
    expect(error.message).toContain('GET /api/v1/app/personal/charge-points: HTTP 401 Unauthenticated.');
    expect(error.message).toContain(
      'get a new token from the app and run `stopwatt token set --account home`, or use login mode',
    );
    expect(simulator.loginRequests()).toEqual([]);
    expect(chargePointRequests().map((r) => r.status)).toEqual([401]);
    expect(storedToken()).toBe('expired-token-value');
  });
});

/** In-memory stores, recording every put. */
function memoryStores(initial: { token?: string; credentials: LoginCredentials }) {
  let token = initial.token ?? null;
  let credentials: LoginCredentials | null = initial.credentials;
  const tokenPuts: string[] = [];
  const credentialPuts: LoginCredentials[] = [];
  const tokens: TokenStore = {
    get: async () => token,
    put: async (value) => {
      token = value;
      tokenPuts.push(value);
    },
  };
  return {
    tokens,
    tokenPuts,
    credentialPuts,
    credentials: {
      get: async () => credentials,
      put: async (value: LoginCredentials) => {
        credentials = value;
        credentialPuts.push(value);
      },
    },
    current: () => ({ token, credentials }),
  };
}

function provider(stores: ReturnType<typeof memoryStores>): LoginTokenProvider {
  return new LoginTokenProvider({
    apiUrl: simulator.url,
    deviceId: '0123456789abcdef',
    tokens: stores.tokens,
    credentials: stores.credentials,
  });
}

describe('LoginTokenProvider against the simulator', () => {
  it('logs in with the password grant when no token is stored, and stores the token', async () => {
    // Prepare
    const stores = memoryStores({ credentials: { ...user } });
    const auth = provider(stores);

    // Act
    const token = await auth.token();

    // Assess
    expect(jwtExpiry(token)).not.toBeNull();
    expect(stores.tokenPuts).toEqual([token]);
    expect(stores.credentialPuts).toEqual([]);
    expect(auth.loginAttempted).toBe(true);
    expect(simulator.loginRequests()).toHaveLength(1);
    expect(simulator.loginRequests()[0]?.headers['x-device-id']).toBe('0123456789abcdef');
  });

  it('renews once per tick: a second renewal in the same tick gives up without a request', async () => {
    // Prepare
    const stores = memoryStores({ token: 'stale-token', credentials: { ...user } });
    const auth = provider(stores);
    auth.newTick();
    const rejected = await auth.token();

    // Act
    const renewed = await auth.renew(rejected);
    const again = await auth.renew(renewed ?? '');
    auth.newTick();
    const nextTick = await auth.renew(renewed ?? '');

    // Assess
    expect(rejected).toBe('stale-token');
    expect(renewed).not.toBeNull();
    expect(renewed).not.toBe('stale-token');
    expect(again).toBeNull();
    expect(nextTick).not.toBeNull();
    expect(nextTick).not.toBe(renewed);
    expect(simulator.loginRequests()).toHaveLength(2);
    expect(stores.current().token).toBe(nextTick);
  });

  it('hands back the token another call already renewed instead of logging in again', async () => {
    // Prepare
    const stores = memoryStores({ token: 'stale-token', credentials: { ...user } });
    const auth = provider(stores);
    const fresh = await auth.renew('stale-token');

    // Act
    const second = await auth.renew('stale-token');

    // Assess
    expect(second).toBe(fresh);
    expect(simulator.loginRequests()).toHaveLength(1);
  });

  it('lets the AMPECO client retry the rejected call once with the renewed token', async () => {
    // Prepare
    const { id } = simulator.addSession({ energyWh: 1_000 });
    const stores = memoryStores({ token: 'stale-token', credentials: { ...user } });
    const client = new AmpecoClient({
      apiUrl: simulator.url,
      deviceId: '0123456789abcdef',
      auth: provider(stores),
    });

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session?.id).toBe(id);
    expect(chargePointRequests().map((r) => r.status)).toEqual([401, 200]);
    expect(simulator.loginRequests()).toHaveLength(1);
  });

  it('stores the newest refresh token on every login and spends the stored one', async () => {
    // Prepare
    const rotating = randomUser({ refreshTokens: true });
    simulator.addUser(rotating);
    const stores = memoryStores({ token: 'stale-token', credentials: loginOf(rotating) });
    const auth = provider(stores);

    // Act
    await auth.renew('stale-token');
    const first = stores.current().credentials?.refreshToken;
    auth.newTick();
    await auth.renew(stores.current().token ?? '');
    const second = stores.current().credentials?.refreshToken;

    // Assess
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(stores.credentialPuts.map((c) => c.refreshToken)).toEqual([first, second]);
    expect(await refreshGrant(first ?? '', rotating)).toBe(400);
  });

  it('drops a rejected refresh token, fails this tick, and logs in with the password on the next', async () => {
    // Prepare
    const rotating = randomUser({ refreshTokens: true });
    simulator.addUser(rotating);
    const stores = memoryStores({
      token: 'stale-token',
      credentials: { ...loginOf(rotating), refreshToken: 'spent-refresh-token' },
    });
    const auth = provider(stores);

    // Act
    const failure = await rejectionOf(auth.renew('stale-token'));
    auth.newTick();
    const renewed = await auth.renew('stale-token');

    // Assess
    expect(failure).toBeInstanceOf(AuthError);
    expect(failure.message).toContain('HTTP 400 The refresh token is invalid.');
    expect(failure.message).not.toContain('spent-refresh-token');
    expect(stores.credentialPuts[0]?.refreshToken).toBeUndefined();
    expect(renewed).not.toBeNull();
    expect(stores.current().credentials?.refreshToken).toMatch(/^[0-9a-f]{96}$/);
    expect(simulator.loginRequests().map((r) => r.status)).toEqual([400, 200]);
  });

  it('reports the login rate limit as an API error with its Retry-After, and does not retry in the tick', async () => {
    // Prepare: five failed logins in this minute use up the limit.
    const stores = memoryStores({ token: 'stale-token', credentials: { ...user, password: 'wrong' } });
    const auth = provider(stores);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      auth.newTick();
      await rejectionOf(auth.renew('stale-token'));
    }
    auth.newTick();

    // Act
    const limited = await rejectionOf(auth.renew('stale-token'));
    const again = await auth.renew('stale-token');

    // Assess
    expect(limited).toBeInstanceOf(ApiError);
    expect(limited.message).toBe(
      'POST /api/v1/app/oauth/token: HTTP 429 Too Many Attempts. (retry after 60 s)',
    );
    expect(again).toBeNull();
    expect(simulator.loginRequests().map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 429]);
    expect(stores.tokenPuts).toEqual([]);
  });

  it('names the login request and never the password or client secret in a failure', async () => {
    // Prepare
    const stores = memoryStores({ credentials: { ...user, password: 'hunter2-secret-pw' } });

    // Act
    const failure = await rejectionOf(provider(stores).token());

    // Assess
    expect(failure).toBeInstanceOf(AuthError);
    expect(failure.message).toContain('POST /api/v1/app/oauth/token');
    expect(failure.message).not.toContain('hunter2-secret-pw');
    expect(failure.message).not.toContain(user.clientSecret);
  });
});
