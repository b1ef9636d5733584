import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AccessTokenProvider,
  AmpecoClient,
  type AmpecoClientOptions,
} from '../../lambdas/adapters/ampeco/client.ts';
import { APP_VERSION } from '../../lambdas/adapters/ampeco/headers.ts';
import { ApiError, ApiUnreachableError, AuthError, InvalidResponseError } from '../../lambdas/errors.ts';
import {
  AmpecoSimulator,
  type Fault,
  ManualClock,
  type SimulatorOptions,
} from '../../lambdas/simulator/server.ts';
import { STOPWATT_VERSION } from '../../lambdas/version.ts';
import { rejectionOf } from '../support/rejection.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ampeco');
const T0 = Date.parse('2025-03-30T14:33:51Z');
const CHARGE_POINTS = '/api/v1/app/personal/charge-points';
const ACTIVE = '/api/v1/app/session/active';
const DEVICE_ID = '0123456789abcdef';

/** A JWT-shaped random token, so redaction and exact-string leaks are both exercised. */
function randomToken(): string {
  const part = () => randomBytes(18).toString('base64url');
  return `eyJ${part()}.${part()}.${part()}`;
}

const running: AmpecoSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function setup(
  options: { sim?: SimulatorOptions; client?: Partial<AmpecoClientOptions>; token?: string } = {},
) {
  const token = options.token ?? randomToken();
  const clock = new ManualClock(T0);
  const sim = await AmpecoSimulator.start({ clock, token, ...options.sim });
  running.push(sim);
  const client = new AmpecoClient({
    apiUrl: sim.url,
    deviceId: DEVICE_ID,
    auth: { token: async () => token },
    // Short backoff: 2 retries wait 0.3 s + 0.6 s.
    retries: 2,
    ...options.client,
  });
  return { sim, clock, client, token };
}

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** Every text an error could leak through: message, stack and its causes. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    parts.push(current.message, current.stack ?? '', JSON.stringify(current));
    current = current.cause;
  }
  return parts.join('\n');
}

function countRequests(sim: AmpecoSimulator, method: string, path: string): number {
  return sim.requests.filter((r) => r.method === method && r.path === path).length;
}

describe('AmpecoClient.activeSession', () => {
  it('parses the real captured charge-points response', async () => {
    // Prepare
    const { sim, client } = await setup();
    const captured = fixture('personal-charge-points-response.json');
    sim.inject({ kind: 'transform', path: CHARGE_POINTS, transform: () => captured });

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session).toEqual({
      id: '100001',
      status: 'active',
      chargingState: 'suspendedEV',
      startedAt: new Date('2025-03-30T14:33:51Z'),
      stoppedAt: null,
      durationS: 151,
      energyWh: 0,
      powerW: 0,
      amount: 0,
      currency: 'DKK',
      lastPeriod: {
        state: 'charging@price|0.0544&markup|1',
        amount: 0,
        startedAt: new Date('2025-03-30T14:33:51Z'),
      },
      evseId: '2001',
    });
    expect(countRequests(sim, 'GET', ACTIVE)).toBe(0);
  });

  it('reads a simulated charging session with its meter and tariff state', async () => {
    // Prepare
    const { sim, clock, client } = await setup();
    const { id } = sim.addSession({ powerKw: 11, energyWh: 5000, meter: 'continuous' });
    clock.advance(60_000);

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session).toMatchObject({
      id,
      status: 'active',
      chargingState: 'charging',
      energyWh: 5183,
      powerW: 11000,
      currency: 'DKK',
      lastPeriod: { state: 'charging@price|0.5&markup|1' },
    });
  });

  it('sends the app header set with the bearer token, stopwatt as user agent and no If-Modified-Since', async () => {
    // Prepare
    const { sim, client, token } = await setup();
    sim.addSession({ where: 'public' });

    // Act
    await client.activeSession();

    // Assess
    expect(sim.requests.map((r) => r.path)).toEqual([CHARGE_POINTS, ACTIVE]);
    for (const request of sim.requests) {
      expect(request.headers).toMatchObject({
        accept: 'application/json, text/plain, */*',
        'x-device-id': DEVICE_ID,
        'x-app-version': APP_VERSION,
        'x-internal-app-version': APP_VERSION,
        'user-agent': `stopwatt/${STOPWATT_VERSION}`,
        authorization: `Bearer ${token}`,
      });
      expect(request.headers['accept-language']).toBeTruthy();
      expect(request.headers).not.toHaveProperty('if-modified-since');
      expect(request.headers['user-agent']).not.toMatch(/okhttp/i);
    }
  });

  it('finds a public session only listed by /session/active', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession({ where: 'public', energyWh: 1500 });

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session).toMatchObject({ id, status: 'active', energyWh: 1500 });
  });

  it('answers null when neither endpoint has a session (404 on /session/active)', async () => {
    // Prepare
    const { sim, client } = await setup();

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session).toBeNull();
    expect(sim.requests.find((r) => r.path === ACTIVE)?.status).toBe(404);
  });

  it('answers null on a tenant without /session/active', async () => {
    // Prepare
    const { client } = await setup({ sim: { activeEndpoint: false } });

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session).toBeNull();
  });
});

describe('AmpecoClient authentication', () => {
  it('throws AuthError on 401 naming method and path but never the token', async () => {
    // Prepare
    const { sim, client, token } = await setup();
    sim.setToken(randomToken());

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain(`GET ${CHARGE_POINTS}`);
    expect(error.message).toContain('401');
    expect(everything(error)).not.toContain(token);
    expect(countRequests(sim, 'GET', CHARGE_POINTS)).toBe(1);
  });

  it('renews the token once on 401 and retries the call with the new token', async () => {
    // Prepare
    const stale = randomToken();
    const fresh = randomToken();
    const renewals: string[] = [];
    const auth: AccessTokenProvider = {
      token: async () => stale,
      renew: async (rejected) => {
        renewals.push(rejected);
        return fresh;
      },
    };
    const { sim, client } = await setup({ token: fresh, client: { auth } });
    const { id } = sim.addSession();

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session?.id).toBe(id);
    expect(renewals).toEqual([stale]);
    expect(sim.requests.map((r) => [r.status, r.headers.authorization])).toEqual([
      [401, `Bearer ${stale}`],
      [200, `Bearer ${fresh}`],
    ]);
  });

  it('renews only once when the renewed token is rejected too', async () => {
    // Prepare
    let renewals = 0;
    const auth: AccessTokenProvider = {
      token: async () => 'stale-token',
      renew: async () => {
        renewals += 1;
        return 'also-rejected-token';
      },
    };
    const { sim, client } = await setup({ client: { auth } });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(AuthError);
    expect(renewals).toBe(1);
    expect(sim.requests).toHaveLength(2);
    expect(everything(error)).not.toContain('also-rejected-token');
  });
});

describe('AmpecoClient retries and failures', () => {
  it('retries a 5xx JSON answer, then throws ApiError with the status', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.inject({ kind: 'status', status: 503, path: CHARGE_POINTS, times: Number.POSITIVE_INFINITY });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error instanceof ApiError && error.status).toBe(503);
    expect(error.message).toContain(`GET ${CHARGE_POINTS}: HTTP 503 Service Unavailable`);
    expect(countRequests(sim, 'GET', CHARGE_POINTS)).toBe(3);
  });

  it('retries a 5xx HTML error page, then throws ApiError naming the page', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.inject({ kind: 'html', status: 502, path: CHARGE_POINTS, times: Number.POSITIVE_INFINITY });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error instanceof ApiError && error.status).toBe(502);
    expect(error.message).toContain('HTML error page');
    expect(countRequests(sim, 'GET', CHARGE_POINTS)).toBe(3);
  });

  it('recovers from one 500 by retrying', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession();
    sim.inject({ kind: 'status', status: 500, path: CHARGE_POINTS });

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session?.id).toBe(id);
    expect(sim.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it('waits out a 429 with Retry-After 1 and succeeds', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession();
    sim.inject({ kind: 'status', status: 429, path: CHARGE_POINTS, headers: { 'retry-after': '1' } });

    // Act
    const session = await client.activeSession();

    // Assess
    expect(session?.id).toBe(id);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not sleep on a 429 with Retry-After 120 but reports it', async () => {
    // Prepare
    const { sim, client } = await setup({ client: { budgetMs: 10_000 } });
    sim.inject({ kind: 'status', status: 429, path: CHARGE_POINTS, headers: { 'retry-after': '120' } });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error instanceof ApiError && error.status).toBe(429);
    expect(error.message).toContain('retry after 120 s');
    expect(sim.requests).toHaveLength(1);
  });

  it.each(['malformed-json', 'truncated-json'] as const)(
    'throws InvalidResponseError on a 200 with %s',
    async (kind) => {
      // Prepare
      const { sim, client } = await setup();
      sim.addSession();
      sim.inject({ kind, path: CHARGE_POINTS });

      // Act
      const error = await rejectionOf(client.activeSession());

      // Assess
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.message).toContain(`GET ${CHARGE_POINTS}: the response is not valid JSON`);
    },
  );

  it('throws InvalidResponseError when energy comes as a string', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.addSession({ energyWh: 1234 });
    sim.inject({
      kind: 'transform',
      path: CHARGE_POINTS,
      transform: (json) => {
        const text = JSON.stringify(json).replace('"energy":1234', '"energy":"1234"');
        return JSON.parse(text);
      },
    });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain('data.0.evses.0.session.energy');
  });

  it('throws ApiUnreachableError when the connection is reset on every attempt', async () => {
    // Prepare
    const { sim, client } = await setup();
    sim.inject({ kind: 'reset', times: Number.POSITIVE_INFINITY });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error.message).toContain(`GET ${CHARGE_POINTS}: connection failed`);
    expect(countRequests(sim, 'GET', CHARGE_POINTS)).toBe(3);
  });

  it('throws ApiUnreachableError when the server hangs past the budget', async () => {
    // Prepare
    const { sim, client } = await setup({ client: { budgetMs: 600, requestTimeoutMs: 200 } });
    sim.inject({ kind: 'hang', times: Number.POSITIVE_INFINITY });

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error.message).toContain('no answer in time');
    expect(sim.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('throws ApiUnreachableError naming the cause when nothing listens', async () => {
    // Prepare
    const { sim, client } = await setup();
    await sim.close();

    // Act
    const error = await rejectionOf(client.activeSession());

    // Assess
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('AmpecoClient.getSession', () => {
  it('reads one session by id and answers null on 404', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession({ energyWh: 700 });

    // Act
    const found = await client.getSession(id);
    const missing = await client.getSession('999999');

    // Assess
    expect(found).toMatchObject({ id, energyWh: 700 });
    expect(missing).toBeNull();
  });
});

describe('AmpecoClient.endSession', () => {
  it('posts to /session/<session id>/end once and reports the stop accepted', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession();

    // Act
    const outcome = await client.endSession(id);

    // Assess
    expect(outcome).toMatchObject({ kind: 'accepted', session: { id, status: 'stopping' } });
    expect(sim.endRequests().map((r) => [r.method, r.path, r.query])).toEqual([
      ['POST', `/api/v1/app/session/${id}/end`, ''],
    ]);
    expect(sim.endRequests()[0]?.headers).not.toHaveProperty('if-modified-since');
  });

  it.each([
    { name: '500', fault: { kind: 'status', status: 500 } },
    {
      name: '503 with Retry-After 1',
      fault: { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
    },
    { name: 'an HTML 502', fault: { kind: 'html', status: 502 } },
  ] satisfies { name: string; fault: Fault }[])(
    'never retries the POST on $name and throws ApiError',
    async ({ fault }) => {
      // Prepare
      const { sim, client } = await setup();
      const { id } = sim.addSession();
      sim.inject({ ...fault, method: 'POST' });

      // Act
      const error = await rejectionOf(client.endSession(id));

      // Assess
      expect(error).toBeInstanceOf(ApiError);
      expect(error.message).toContain(`POST /api/v1/app/session/${id}/end`);
      expect(sim.endRequests()).toHaveLength(1);
    },
  );

  it('never retries the POST when the connection is reset', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession();
    sim.inject({ kind: 'reset', method: 'POST', times: Number.POSITIVE_INFINITY });

    // Act
    const error = await rejectionOf(client.endSession(id));

    // Assess
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(sim.endRequests()).toHaveLength(1);
  });

  it('reports not-found on 404', async () => {
    // Prepare
    const { sim, client } = await setup();

    // Act
    const outcome = await client.endSession('424242');

    // Assess
    expect(outcome).toEqual({ kind: 'not-found' });
    expect(sim.endRequests('424242')).toHaveLength(1);
  });

  it('counts a 2xx whose body cannot be read as accepted', async () => {
    // Prepare
    const { sim, client } = await setup();
    const { id } = sim.addSession();
    sim.inject({ kind: 'truncated-json', method: 'POST' });

    // Act
    const outcome = await client.endSession(id);

    // Assess
    expect(outcome).toEqual({ kind: 'accepted', session: null });
    expect(sim.session(id)?.status).toBe('stopping');
  });
});

describe('AmpecoClient tick budget', () => {
  it('stops making requests once a tick has used up its budget, and starts afresh on the next tick', async () => {
    // Prepare
    const { sim, client } = await setup({
      client: { budgetMs: 400, requestTimeoutMs: 200, tickBudgetMs: 900 },
    });
    sim.inject({ kind: 'hang', times: Number.POSITIVE_INFINITY });
    sim.addSession();
    client.beginTick();

    // Act
    const first = await rejectionOf(client.activeSession());
    const second = await rejectionOf(client.activeSession());
    const third = await rejectionOf(client.activeSession());
    const requestsInTick = sim.requests.length;
    sim.clearFaults();
    client.beginTick();
    const nextTick = await client.activeSession();

    // Assess
    expect(first).toBeInstanceOf(ApiUnreachableError);
    expect(second).toBeInstanceOf(ApiUnreachableError);
    expect(third.message).toContain("used up this tick's time budget");
    expect(sim.requests.length).toBe(requestsInTick + 1);
    expect(nextTick).not.toBeNull();
  });
});
