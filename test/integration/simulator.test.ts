import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AmpecoSimulator,
  acceleratedClock,
  ManualClock,
  type SimulatorOptions,
} from '../../lambdas/simulator/server.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ampeco');
const TOKEN = 'test-token';
const T0 = Date.parse('2025-03-30T14:33:51Z');
const CHARGE_POINTS = '/api/v1/app/personal/charge-points';
const ACTIVE = '/api/v1/app/session/active';
const OAUTH = '/api/v1/app/oauth/token';

type Json = Record<string, unknown>;

const running: AmpecoSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function start(options: SimulatorOptions = {}): Promise<{ sim: AmpecoSimulator; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const sim = await AmpecoSimulator.start({ clock, token: TOKEN, ...options });
  running.push(sim);
  return { sim, clock };
}

function call(sim: AmpecoSimulator, path: string, init: RequestInit = {}, token: string | null = TOKEN) {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json, text/plain, */*');
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${sim.url}${path}`, { ...init, headers });
}

function asJson(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Json;
}

async function getJson(sim: AmpecoSimulator, path: string): Promise<{ status: number; body: Json }> {
  const response = await call(sim, path);
  return { status: response.status, body: asJson(await response.json()) };
}

async function session(sim: AmpecoSimulator, id: string): Promise<Json> {
  const { body } = await getJson(sim, `/api/v1/app/session/${id}`);
  return asJson(body.session);
}

async function personalSessions(sim: AmpecoSimulator): Promise<unknown[]> {
  const { body } = await getJson(sim, CHARGE_POINTS);
  const data = body.data as Json[];
  return data.map((chargePoint) => asJson((chargePoint.evses as Json[])[0]).session);
}

function endSession(sim: AmpecoSimulator, id: string): Promise<Response> {
  return call(sim, `/api/v1/app/session/${id}/end`, { method: 'POST' });
}

function login(sim: AmpecoSimulator, fields: Record<string, string>): Promise<Response> {
  return fetch(`${sim.url}${OAUTH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(fields),
  });
}

const USER = { username: 'driver@example.invalid', password: 'pw', clientId: '1', clientSecret: 'secret' };
const PASSWORD_GRANT = {
  grant_type: 'password',
  username: USER.username,
  password: USER.password,
  client_id: USER.clientId,
  client_secret: USER.clientSecret,
};

describe('personal charge points', () => {
  it('has the same keys as the captured fixture at every level', async () => {
    // Prepare
    const fixture = asJson(
      JSON.parse(readFileSync(join(FIXTURES, 'personal-charge-points-response.json'), 'utf8')),
    );
    const fixtureCp = asJson((fixture.data as unknown[])[0]);
    const fixtureEvse = asJson((fixtureCp.evses as unknown[])[0]);
    const fixtureSession = asJson(fixtureEvse.session);
    const { sim } = await start();
    sim.addSession();

    // Act
    const { status, body } = await getJson(sim, CHARGE_POINTS);

    // Assess
    expect(status).toBe(200);
    const cp = asJson((body.data as unknown[])[0]);
    const evse = asJson((cp.evses as unknown[])[0]);
    const simSession = asJson(evse.session);
    expect(Object.keys(body).sort()).toEqual(Object.keys(fixture).sort());
    expect(Object.keys(cp).sort()).toEqual(Object.keys(fixtureCp).sort());
    expect(Object.keys(evse).sort()).toEqual(Object.keys(fixtureEvse).sort());
    expect(Object.keys(simSession).sort()).toEqual(Object.keys(fixtureSession).sort());
    expect(Object.keys(asJson(simSession.lastPeriod)).sort()).toEqual(
      Object.keys(asJson(fixtureSession.lastPeriod)).sort(),
    );
    expect(simSession).toMatchObject({
      id: '100001',
      startedAt: '2025-03-30T14:33:51+00:00',
      status: 'active',
      chargingState: 'charging',
      evseStatus: 'charging',
      energy: 0,
      power: 11000,
      stoppedAt: null,
      stopReason: null,
      isPersonal: true,
    });
    expect(simSession.evseId).toBe(evse.identifier);
  });

  it('answers with JSON headers like the real server', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const response = await call(sim, CHARGE_POINTS);

    // Assess
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-cache, private');
  });

  it('lists one charge point with no session when there are no personal sessions', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const sessions = await personalSessions(sim);

    // Assess
    expect(sessions).toEqual([null]);
  });

  it('lists one charge point with unique ids per personal session', async () => {
    // Prepare
    const { sim } = await start();
    sim.addSession();
    sim.addSession({ id: 'abc' });

    // Act
    const { body } = await getJson(sim, CHARGE_POINTS);

    // Assess
    const data = body.data as Json[];
    expect(data.map((cp) => cp.id)).toEqual(['CP0000001', 'CP0000002']);
    const evses = data.map((cp) => asJson((cp.evses as unknown[])[0]));
    expect(new Set(evses.map((evse) => evse.id)).size).toBe(2);
    expect(evses.map((evse) => asJson(evse.session).id)).toEqual(['100001', 'abc']);
  });
});

describe('charging curve', () => {
  it('accrues energy from the clock: 11 kW for 60 s is 183 Wh', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 11, meter: 'continuous' });

    // Act
    clock.advance(60_000);
    const json = await session(sim, id);

    // Assess
    expect(json.energy).toBe(183);
    expect(json.power).toBe(11000);
    expect(json.duration).toBe(60);
    expect(json.totalDuration).toBe(60);
    expect(json.powerAvg).toBeCloseTo(11000, 6);
    expect(sim.session(id)?.energyWh).toBeCloseTo(183.333, 3);
  });

  it('derives the default start from the energy already delivered', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const state = sim.addSession({ powerKw: 10, energyWh: 5000, meter: 'continuous' });
    const json = await session(sim, state.id);

    // Assess
    expect(json.startedAt).toBe('2025-03-30T14:03:51+00:00');
    expect(json.duration).toBe(1800);
    expect(json.energy).toBe(5000);
  });

  it('floors the amount at minPrice as soon as any cost accrued', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({
      powerKw: 11,
      spotPrice: 0.5,
      markup: 1,
      minPrice: 2.5,
      meter: 'continuous',
    });
    const before = await session(sim, id);

    // Act
    clock.advance(60_000);
    const after = await session(sim, id);

    // Assess
    expect(before.amount).toBe(0);
    expect(after).toMatchObject({ amount: 2.5, totalAmount: 2.5, amountDue: 2.5 });
    expect(asJson(after.lastPeriod)).toMatchObject({
      state: 'charging@price|0.5&markup|1',
      amount: 0.29792,
      stoppedAt: null,
      startedAt: '2025-03-30T14:33:51.000000Z',
    });
  });

  it('prices energy as spot times 1.25 plus markup above the floor', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const { id } = sim.addSession({ energyWh: 10_000, spotPrice: 0.5, markup: 1 });
    const json = await session(sim, id);

    // Assess
    expect(json.amount).toBe(16.25);
  });

  it('prices each hour with the price functions of that hour', async () => {
    // Prepare
    const clock = new ManualClock(Date.parse('2025-03-30T14:00:00Z'));
    const { sim } = await start({ clock });
    const spotPrice = (atMs: number): number => (new Date(atMs).getUTCHours() === 14 ? 1 : 2);
    const { id } = sim.addSession({ powerKw: 10, spotPrice, markup: 0, meter: 'continuous' });

    // Act
    clock.advance(2 * 3_600_000);
    const json = await session(sim, id);

    // Assess
    expect(json.energy).toBe(20_000);
    expect(json.amount).toBe(37.5);
    expect(asJson(json.lastPeriod).state).toBe('charging@price|2&markup|0');
  });

  it('suspends the car with power 0 when the capacity is reached', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 10, energyWh: 0, capacityKwh: 1 });

    // Act
    clock.advance(3_600_000);
    const json = await session(sim, id);

    // Assess
    expect(json).toMatchObject({
      energy: 1000,
      power: 0,
      chargingState: 'suspendedEV',
      evseStatus: 'suspended',
      status: 'active',
    });
    expect(asJson(json.lastPeriod).state).toBe('idle@price|0.5&markup|1');
    expect(sim.session(id)).toMatchObject({ energyWh: 1000, powerW: 0, chargingState: 'suspendedEV' });
  });

  it('accrues nothing while the car is not charging', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ chargingState: 'suspendedEV', energyWh: 500 });

    // Act
    clock.advance(600_000);
    const json = await session(sim, id);

    // Assess
    expect(json).toMatchObject({
      energy: 500,
      power: 0,
      chargingState: 'suspendedEV',
      evseStatus: 'suspended',
    });
  });

  it('omits lastPeriod when asked to', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const { id } = sim.addSession({ withLastPeriod: false });
    const json = await session(sim, id);

    // Assess
    expect(json).not.toHaveProperty('lastPeriod');
  });

  it('runs an accelerated clock faster than real time', async () => {
    // Prepare
    const clock = acceleratedClock(1000, 0);

    // Act
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(clock.now()).toBeGreaterThanOrEqual(19_000);
  });
});

describe('remote stop', () => {
  it('goes stopping, then finished after stopDelayMs, recording the meter at arrival', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 11, stopDelayMs: 5000 });
    clock.advance(30_000);

    // Act
    const response = await endSession(sim, id);
    const accepted = asJson(asJson(await response.json()).session);
    clock.advance(4999);
    const stillStopping = await session(sim, id);
    clock.advance(1);
    const finished = await session(sim, id);

    // Assess
    expect(response.status).toBe(200);
    expect(accepted).toMatchObject({
      status: 'stopping',
      chargingState: 'charging',
      power: 11000,
      stopReason: null,
    });
    expect(stillStopping.status).toBe('stopping');
    expect(finished).toMatchObject({
      status: 'finished',
      power: 0,
      stopReason: 'remote',
      stoppedAt: '2025-03-30T14:34:26+00:00',
      evseStatus: 'finishing',
      energy: 106,
    });
    const ends = sim.endRequests(id);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.sessionEnergyWh).toBeCloseTo(91.6667, 3);
    expect(ends[0]?.status).toBe(200);
    expect(ends[0]?.atMs).toBe(T0 + 30_000);
  });

  it('accepts a repeated end while stopping and refuses it once finished', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ stopDelayMs: 1000 });
    await endSession(sim, id);

    // Act
    const again = await endSession(sim, id);
    clock.advance(1000);
    const late = await endSession(sim, id);

    // Assess
    expect(again.status).toBe(200);
    expect(asJson(asJson(await again.json()).session).status).toBe('stopping');
    expect(late.status).toBe(404);
    expect(await late.json()).toEqual({ message: 'Session not found.' });
    expect(sim.endRequests(id).map((request) => request.status)).toEqual([200, 200, 404]);
    expect(sim.endRequests('other')).toEqual([]);
  });

  it('drops a finished session from charge points and /session/active but keeps its detail', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ stopDelayMs: 0 });
    await endSession(sim, id);
    clock.advance(1);

    // Act
    const sessions = await personalSessions(sim);
    const active = await getJson(sim, ACTIVE);
    const detail = await session(sim, id);

    // Assess
    expect(sessions).toEqual([null]);
    expect(active).toEqual({ status: 404, body: { message: 'No active session.' } });
    expect(detail.status).toBe('finished');
  });

  it('answers 404 for an unknown session', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const end = await endSession(sim, '999');
    const detail = await call(sim, '/api/v1/app/session/999');

    // Assess
    expect(end.status).toBe(404);
    expect(detail.status).toBe(404);
    expect(sim.endRequests('999')[0]?.sessionEnergyWh).toBeNull();
  });

  it('answers 404 for detail and end once a session is removed', async () => {
    // Prepare
    const { sim } = await start();
    const { id } = sim.addSession();

    // Act
    sim.removeSession(id);
    const detail = await call(sim, `/api/v1/app/session/${id}?withPowerHistory=1`);
    const end = await endSession(sim, id);

    // Assess
    expect(detail.status).toBe(404);
    expect(end.status).toBe(404);
    expect(sim.session(id)).toBeNull();
    expect(await personalSessions(sim)).toEqual([null]);
  });
});

describe('active session endpoint', () => {
  it('shows a public session only via /session/active', async () => {
    // Prepare
    const { sim } = await start();
    const { id } = sim.addSession({ where: 'public' });

    // Act
    const sessions = await personalSessions(sim);
    const active = await getJson(sim, ACTIVE);

    // Assess
    expect(sessions).toEqual([null]);
    expect(active.status).toBe(200);
    expect(active.body.carBatteryPercent).toBe('');
    expect(asJson(active.body.session)).toMatchObject({ id, isPersonal: false, status: 'active' });
  });

  it('answers 404 always on a tenant without the endpoint', async () => {
    // Prepare
    const { sim } = await start({ activeEndpoint: false });
    sim.addSession({ where: 'public' });

    // Act
    const response = await call(sim, ACTIVE);

    // Assess
    expect(response.status).toBe(404);
  });
});

describe('authentication', () => {
  it('answers 401 without a token and with a wrong token', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const missing = await call(sim, CHARGE_POINTS, {}, null);
    const wrong = await call(sim, CHARGE_POINTS, {}, 'nope');

    // Assess
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthenticated.' });
    expect(wrong.status).toBe(401);
  });

  it('accepts any bearer token when none is configured, and a new one after setToken', async () => {
    // Prepare
    const { sim } = await start({ token: null });

    // Act
    const anyToken = await call(sim, CHARGE_POINTS, {}, 'whatever');
    sim.setToken('fresh');
    const oldToken = await call(sim, CHARGE_POINTS, {}, 'whatever');
    const freshToken = await call(sim, CHARGE_POINTS, {}, 'fresh');

    // Assess
    expect([anyToken.status, oldToken.status, freshToken.status]).toEqual([200, 401, 200]);
  });

  it('answers 404 for unknown routes and records headers and query', async () => {
    // Prepare
    const { sim } = await start();

    // Act
    const response = await call(sim, '/api/v1/app/nothing?x=1', {
      headers: { 'X-Device-Id': 'abcdef0123456789' },
    });

    // Assess
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not found.' });
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/v1/app/nothing',
      query: 'x=1',
      status: 404,
      atMs: T0,
      sessionEnergyWh: null,
    });
    expect(sim.requests[0]?.headers['x-device-id']).toBe('abcdef0123456789');
    expect(sim.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('fault injection', () => {
  it('answers a status fault with a Laravel body and extra headers, then recovers', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'status', status: 503, headers: { 'retry-after': '2' }, path: CHARGE_POINTS });

    // Act
    const faulted = await call(sim, CHARGE_POINTS);
    const normal = await call(sim, CHARGE_POINTS);

    // Assess
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('2');
    expect(await faulted.json()).toEqual({ message: 'Service Unavailable' });
    expect(normal.status).toBe(200);
    expect(sim.requests.map((request) => request.status)).toEqual([503, 200]);
  });

  it('uses the proper message per status and a custom body when given', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'status', status: 401 });
    sim.inject({ kind: 'status', status: 429, body: { message: 'Too Many Attempts.' } });

    // Act
    const first = await call(sim, CHARGE_POINTS);
    const second = await call(sim, CHARGE_POINTS);
    const third = await call(sim, CHARGE_POINTS);

    // Assess
    expect(await first.json()).toEqual({ message: 'Unauthenticated.' });
    expect(second.status).toBe(429);
    expect(await second.json()).toEqual({ message: 'Too Many Attempts.' });
    expect(third.status).toBe(200);
  });

  it('matches faults by method and path and applies them the given number of times', async () => {
    // Prepare
    const { sim } = await start();
    const { id } = sim.addSession();
    sim.inject({ kind: 'status', status: 500, method: 'POST', path: /\/end$/, times: 2 });

    // Act
    const get = await call(sim, `/api/v1/app/session/${id}`);
    const first = await endSession(sim, id);
    const second = await endSession(sim, id);
    const third = await endSession(sim, id);

    // Assess
    expect([get.status, first.status, second.status, third.status]).toEqual([200, 500, 500, 200]);
  });

  it('applies an Infinity fault until cleared', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'status', status: 502, times: Number.POSITIVE_INFINITY });

    // Act
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(sim, CHARGE_POINTS)).status);
    sim.clearFaults();
    statuses.push((await call(sim, CHARGE_POINTS)).status);

    // Assess
    expect(statuses).toEqual([502, 502, 502, 200]);
  });

  it('serves an HTML error page', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'html', status: 502 });

    // Act
    const response = await call(sim, CHARGE_POINTS);
    const text = await response.text();

    // Assess
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(text.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('serves malformed JSON with status 200', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'malformed-json' });

    // Act
    const response = await call(sim, CHARGE_POINTS);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).rejects.toThrow();
  });

  it('serves the real body cut in half', async () => {
    // Prepare
    const { sim } = await start();
    sim.addSession();
    const full = await (await call(sim, CHARGE_POINTS)).text();
    sim.inject({ kind: 'truncated-json' });

    // Act
    const response = await call(sim, CHARGE_POINTS);
    const text = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(text).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(() => JSON.parse(text)).toThrow();
  });

  it('resets the connection so that fetch rejects', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'reset' });

    // Act
    const attempt = call(sim, CHARGE_POINTS);

    // Assess
    await expect(attempt).rejects.toThrow();
    expect(sim.requests[0]?.status).toBe(0);
  });

  it('hangs so that a client timeout rejects', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'hang' });

    // Act
    const attempt = call(sim, CHARGE_POINTS, { signal: AbortSignal.timeout(300) });

    // Assess
    await expect(attempt).rejects.toThrow();
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]?.status).toBe(0);
  });

  it('delays the normal answer by the given real time', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({ kind: 'delay', delayMs: 200 });
    const startedAt = performance.now();

    // Act
    const response = await call(sim, CHARGE_POINTS);

    // Assess
    expect(response.status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(190);
  });

  it('passes the normal JSON through a transform', async () => {
    // Prepare
    const { sim } = await start();
    const { id } = sim.addSession({ energyWh: 1234 });
    sim.inject({
      kind: 'transform',
      transform: (json) => {
        const body = asJson(json);
        const detail = asJson(body.session);
        return { ...body, session: { ...detail, energy: String(detail.energy) } };
      },
    });

    // Act
    const json = await session(sim, id);

    // Assess
    expect(json.energy).toBe('1234');
  });

  it('answers 500 instead of crashing when a handler throws', async () => {
    // Prepare
    const { sim } = await start();
    sim.inject({
      kind: 'transform',
      transform: () => {
        throw new Error('boom');
      },
    });

    // Act
    const broken = await call(sim, CHARGE_POINTS);
    const next = await call(sim, CHARGE_POINTS);

    // Assess
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ message: 'Server Error' });
    expect(next.status).toBe(200);
    expect(sim.requests[0]?.status).toBe(500);
  });
});

describe('oauth token endpoint', () => {
  it('issues a JWT-shaped token that becomes the accepted token', async () => {
    // Prepare
    const { sim } = await start();
    sim.addUser(USER);

    // Act
    const response = await login(sim, PASSWORD_GRANT);
    const body = asJson(await response.json());
    const token = String(body.access_token);
    const withNew = await call(sim, CHARGE_POINTS, {}, token);
    const withOld = await call(sim, CHARGE_POINTS, {}, TOKEN);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBe('5');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 31_536_000 });
    expect(body).not.toHaveProperty('refresh_token');
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    const payload = asJson(JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')));
    expect(payload).toMatchObject({ aud: '1', sub: '1', exp: T0 / 1000 + 31_536_000, scopes: [] });
    expect(withNew.status).toBe(200);
    expect(withOld.status).toBe(401);
    expect(sim.loginRequests()).toHaveLength(1);
  });

  it('rejects a wrong client with 401 and wrong credentials with 400', async () => {
    // Prepare
    const { sim } = await start();
    sim.addUser(USER);

    // Act
    const badClient = await login(sim, { ...PASSWORD_GRANT, client_secret: 'wrong' });
    const badPassword = await login(sim, { ...PASSWORD_GRANT, password: 'wrong' });

    // Assess
    expect(badClient.status).toBe(401);
    expect(await badClient.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
      message: 'Client authentication failed',
    });
    expect(badPassword.status).toBe(400);
    expect(await badPassword.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The user credentials were incorrect.',
      message: 'The user credentials were incorrect.',
    });
  });

  it('rate limits more than 5 attempts within 60 s of sim time', async () => {
    // Prepare
    const { sim, clock } = await start();
    sim.addUser(USER);
    for (let i = 0; i < 5; i += 1) await login(sim, { ...PASSWORD_GRANT, password: 'wrong' });

    // Act
    const limited = await login(sim, PASSWORD_GRANT);
    clock.advance(60_000);
    const later = await login(sim, PASSWORD_GRANT);

    // Assess
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toEqual({ message: 'Too Many Attempts.' });
    expect(later.status).toBe(200);
    expect(sim.loginRequests().map((request) => request.status)).toEqual([400, 400, 400, 400, 400, 429, 200]);
  });

  it('rotates single-use refresh tokens', async () => {
    // Prepare
    const { sim } = await start();
    sim.addUser({ ...USER, refreshTokens: true, tokenLifetimeS: 3600 });
    const first = asJson(await (await login(sim, PASSWORD_GRANT)).json());
    const refresh = {
      grant_type: 'refresh_token',
      refresh_token: String(first.refresh_token),
      client_id: USER.clientId,
      client_secret: USER.clientSecret,
    };

    // Act
    const rotated = await login(sim, refresh);
    const rotatedBody = asJson(await rotated.json());
    const reused = await login(sim, refresh);

    // Assess
    expect(first.expires_in).toBe(3600);
    expect(typeof first.refresh_token).toBe('string');
    expect(rotated.status).toBe(200);
    expect(rotatedBody.refresh_token).not.toBe(first.refresh_token);
    expect(reused.status).toBe(400);
    expect((await call(sim, CHARGE_POINTS, {}, String(rotatedBody.access_token))).status).toBe(200);
  });
});

describe('lifecycle and admin surface', () => {
  it('closes promptly with a hanging request open', async () => {
    // Prepare
    const sim = await AmpecoSimulator.start({ clock: new ManualClock(T0) });
    sim.inject({ kind: 'hang' });
    const hanging = fetch(`${sim.url}${CHARGE_POINTS}`, { headers: { authorization: 'Bearer x' } }).catch(
      (error: unknown) => error,
    );
    while (sim.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    // Act
    const closed = sim.close().then(() => 'closed');
    const guard = new Promise((resolve) => setTimeout(() => resolve('timed out'), 5000));

    // Assess
    expect(await Promise.race([closed, guard])).toBe('closed');
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('reports state and creates sessions over /__sim without auth', async () => {
    // Prepare
    const { sim, clock } = await start();
    sim.addSession();

    // Act
    const created = await fetch(`${sim.url}/__sim/sessions`, {
      method: 'POST',
      body: JSON.stringify({ id: 'cli-1', where: 'public', powerKw: 7.4, energyWh: 100 }),
    });
    clock.advance(3_600_000);
    const state = await fetch(`${sim.url}/__sim/state`);
    const invalid = await fetch(`${sim.url}/__sim/sessions`, { method: 'POST', body: '{"powerKw":"fast"}' });

    // Assess
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 'cli-1',
      where: 'public',
      status: 'active',
      energyWh: 100,
    });
    expect(state.status).toBe(200);
    const body = asJson(await state.json());
    expect(body.requests).toBe(0);
    expect(body.sessions).toMatchObject([
      { id: '100001', energyWh: 11_000 },
      { id: 'cli-1', where: 'public', energyWh: 7500, powerW: 7400 },
    ]);
    expect(invalid.status).toBe(422);
  });
});
