/**
 * The deployed function's adaptive cadence, end to end: the real handler against the simulator,
 * DynamoDB Local and the SSM server, ticked once per simulated minute on one shared clock.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CheckResult } from '../../lambdas/check/handler.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { AmpecoSimulator, ManualClock } from '../../lambdas/simulator/server.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { createTestHandler, OutputCapture } from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';

const MINUTE_MS = 60_000;
const TOKEN = `cadence-${randomBytes(8).toString('hex')}`;

const START = Date.parse('2026-03-02T08:00:00Z');
const CHARGE_POINTS = '/api/v1/app/personal/charge-points';
const ACTIVE = '/api/v1/app/session/active';

let simulator: AmpecoSimulator;
let simClock: ManualClock;
let ssm: SsmServer;
let table: TestTable;
let output: OutputCapture;
let account: string;

function clock(): Clock {
  return { now: () => new Date(simClock.now()), sleep: async (ms) => simClock.advance(Math.max(0, ms)) };
}

/** The simulated account: with a home charger (as the captured Drivee account), or none. */
async function startSimulator(options: { homeChargers?: boolean } = {}): Promise<void> {
  simulator = await AmpecoSimulator.start({ clock: simClock, token: TOKEN, ...options });
}

function setRules(rules: Record<string, unknown>): void {
  ssm.set(`/stopwatt/${account}/rules`, JSON.stringify(rules));
}

/** A Lambda instance with the default 5-minute idle interval. */
function newHandler(horizonSeconds = 0): (event: unknown) => Promise<CheckResult> {
  const instance = createTestHandler({
    apiUrl: simulator.url,
    ssmUrl: ssm.url,
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tableName: table.tableName,
    account,
    horizonSeconds,
    idleIntervalMinutes: 5,
    clock: clock(),
  });
  return instance.handler;
}

/** AMPECO requests so far, all of them or to one path. */
function requests(path?: string): number {
  return simulator.requests.filter((r) => path === undefined || r.path === path).length;
}

/** Reads of the account's sessions so far (each read of a home-charger account starts with the charge points). */
function reads(): number {
  return requests(CHARGE_POINTS);
}

/**
 * Runs `ticks` scheduled ticks one simulated minute apart from `from`; returns what `count`
 * counted during each tick (AMPECO requests unless told otherwise).
 */
async function tickEveryMinute(
  ticks: number,
  handlers: () => Array<(event: unknown) => Promise<CheckResult>>,
  options: { beforeTick?: (minute: number) => void; count?: () => number; from?: number } = {},
): Promise<number[]> {
  const count = options.count ?? (() => requests());
  const perTick: number[] = [];
  for (let minute = 0; minute < ticks; minute += 1) {
    simClock.set((options.from ?? START) + minute * MINUTE_MS);
    options.beforeTick?.(minute);
    const before = count();
    await Promise.all(handlers().map((handler) => handler({ account })));
    perTick.push(count() - before);
  }
  return perTick;
}

/** One request on every fifth tick from the first: the idle cadence at 5 minutes. */
function everyFifth(ticks: number, requestsPerRead = 1): number[] {
  return Array.from({ length: ticks }, (_, minute) => (minute % 5 === 0 ? requestsPerRead : 0));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  ssm = await SsmServer.start();
  table = await createTestTable(inject('dynamoDbEndpoint'));
});

afterAll(async () => {
  await ssm?.close();
  await table?.drop();
});

beforeEach(() => {
  simClock = new ManualClock(START);
  account = `cadence-${randomBytes(3).toString('hex')}`;
  ssm.set(`/stopwatt/${account}/token`, TOKEN, 'SecureString');
  setRules({ energyKwh: 50 });
  output = new OutputCapture();
});

afterEach(async () => {
  output.restore();
  await simulator?.close();
});

describe('adaptive cadence in the check handler', () => {
  it('makes at most 12 AMPECO requests in an idle hour on an account with home chargers', async () => {
    // Prepare
    await startSimulator();
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(60, () => [handler]);

    // Assess: one request (the charge points) every fifth tick.
    expect(sum(perTick)).toBeLessThanOrEqual(12);
    expect(perTick).toEqual(everyFifth(60));
    expect(requests(CHARGE_POINTS)).toBe(12);
  });

  it('watches an account without home chargers through its active session, asking for chargers again a day later', async () => {
    // Prepare
    await startSimulator({ homeChargers: false });
    const handler = newHandler();

    // Act: two idle hours, then an idle read a day after the first.
    const firstHour = await tickEveryMinute(60, () => [handler]);
    const secondHour = await tickEveryMinute(60, () => [handler], { from: START + 60 * MINUTE_MS });
    const chargePointsBefore = requests(CHARGE_POINTS);
    const dayLater = await tickEveryMinute(1, () => [handler], { from: START + 24 * 60 * MINUTE_MS });

    // Assess: the first read learns there is no home charger (2 requests); after it, one a read.
    expect(firstHour).toEqual([2, ...everyFifth(60).slice(1)]);
    expect(secondHour).toEqual(everyFifth(60));
    expect(sum(secondHour)).toBeLessThanOrEqual(12);
    expect(dayLater).toEqual([2]);
    expect(requests(CHARGE_POINTS) - chargePointsBefore).toBe(1);
  });

  it('finds a new session within the idle interval and then reads it on every tick', async () => {
    // Prepare: the car is plugged in at minute 17.
    await startSimulator();
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(26, () => [handler], {
      beforeTick: (minute) => {
        if (minute === 17) simulator.addSession({ energyWh: 2_000, powerKw: 11 });
      },
      count: reads,
    });

    // Assess: read at 15 (nothing), at 20 (found, 3 minutes after plug-in), then every minute.
    expect(perTick.slice(15)).toEqual([1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('finds a public session on an account without home chargers, then reads its active session on every tick', async () => {
    // Prepare: plugged in at a public charger at minute 7.
    await startSimulator({ homeChargers: false });
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(14, () => [handler], {
      beforeTick: (minute) => {
        if (minute === 7) simulator.addSession({ where: 'public', energyWh: 2_000, powerKw: 11 });
      },
    });

    // Assess: found by the active-session read at 10, read there (one request) on every tick after.
    expect(perTick).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(requests(CHARGE_POINTS)).toBe(1);
  });

  it('leaves a public session on a home-charger account unseen while idle when idlePublicCharging is off', async () => {
    // Prepare: plugged in at a public charger at minute 2.
    await startSimulator();
    const handler = newHandler();
    simulator.addSession({ where: 'public', energyWh: 2_000, powerKw: 11 });

    // Act
    const results: CheckResult[] = [];
    for (let minute = 0; minute < 11; minute += 1) {
      simClock.set(START + minute * MINUTE_MS);
      results.push(await handler({ account }));
    }

    // Assess: the idle reads ask the charge points only, which do not list a public session.
    expect(results.map((r) => r.action)).toEqual(everyFifth(11).map((n) => (n > 0 ? 'none' : 'idle')));
    expect(requests(ACTIVE)).toBe(0);
  });

  it('finds a public session on a home-charger account within the idle interval when idlePublicCharging is set', async () => {
    // Prepare
    await startSimulator();
    setRules({ energyKwh: 50, idlePublicCharging: true });
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(8, () => [handler], {
      beforeTick: (minute) => {
        if (minute === 2) simulator.addSession({ where: 'public', energyWh: 2_000, powerKw: 11 });
      },
    });

    // Assess: every idle read asks both places (2 requests); found at 5, then read every tick.
    expect(perTick).toEqual([2, 0, 0, 0, 0, 2, 2, 2]);
  });

  it("takes the rules' idle interval over the deploy config's", async () => {
    // Prepare: the deploy config says 5 minutes, the rules 10.
    await startSimulator();
    setRules({ energyKwh: 50, idleIntervalMinutes: 10 });
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(21, () => [handler]);

    // Assess
    expect(perTick).toEqual(Array.from({ length: 21 }, (_, minute) => (minute % 10 === 0 ? 1 : 0)));
  });

  it('lets only one of two concurrent invocations read while idle, and never skips a due read', async () => {
    // Prepare: two warm instances invoked at the same moment every minute.
    await startSimulator();
    const handlers = [newHandler(), newHandler()];

    // Act
    const perTick = await tickEveryMinute(30, () => handlers);

    // Assess
    expect(perTick).toEqual(everyFifth(30));
  });

  it('keeps the cadence across cold starts: the state is in the table', async () => {
    // Prepare
    await startSimulator({ homeChargers: false });

    // Act: a fresh instance (a cold start) for every tick.
    const perTick = await tickEveryMinute(15, () => [newHandler()]);

    // Assess: what the first read learned (no home charger) is still known by later instances.
    expect(perTick).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(requests(CHARGE_POINTS)).toBe(1);
  });

  it('reads on every tick while a session is stopping, and idles once it is finished', async () => {
    // Prepare: past the 50 kWh target; the charger takes 150 s to confirm the stop.
    await startSimulator();
    const session = simulator.addSession({ energyWh: 50_100, powerKw: 11, stopDelayMs: 150_000 });
    const handler = newHandler();

    // Act
    const statuses: string[] = [];
    const perTick = await tickEveryMinute(10, () => [handler], {
      beforeTick: () => statuses.push(simulator.session(session.id)?.status ?? 'gone'),
      count: reads,
    });

    // Assess: ended at 0, stopping at 1 and 2 (read), finished at 3 (read: none), then idle.
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    expect(statuses.slice(0, 4)).toEqual(['active', 'stopping', 'stopping', 'finished']);
    expect(perTick).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('still ends a session at its target with the precise in-tick wait', async () => {
    // Prepare: 20 Wh below 50 kWh at 50 kW, about 1.4 s away, inside the 60 s horizon. The assertion
    // reads the meter at /end, so this relies on continuous energy.
    await startSimulator();
    const session = simulator.addSession({
      energyWh: 49_980,
      powerKw: 50,
      stopDelayMs: 3_600_000,
      meter: 'continuous',
    });
    const handler = newHandler(60);

    // Act
    const result = await handler({ account });

    // Assess
    expect(result).toMatchObject({ action: 'end', reason: 'energy', sessionId: session.id });
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    expect(simulator.endRequests(session.id)[0]?.sessionEnergyWh).toBeGreaterThanOrEqual(49_985);
  });
});
