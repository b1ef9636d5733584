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
import { createTestHandler, type HandlerInstance, OutputCapture } from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';

const MINUTE_MS = 60_000;
const TOKEN = `cadence-${randomBytes(8).toString('hex')}`;

let simulator: AmpecoSimulator;
let simClock: ManualClock;
let ssm: SsmServer;
let table: TestTable;
let output: OutputCapture;
let account: string;
const instances: HandlerInstance[] = [];

function clock(): Clock {
  return { now: () => new Date(simClock.now()), sleep: async (ms) => simClock.advance(Math.max(0, ms)) };
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
  instances.push(instance);
  return instance.handler;
}

/** Reads of the account's sessions so far (each read starts with the charge points). */
function reads(): number {
  return simulator.requests.filter((r) => r.path === '/api/v1/app/personal/charge-points').length;
}

/** Runs `ticks` scheduled ticks one simulated minute apart; returns the reads each tick made. */
async function tickEveryMinute(
  ticks: number,
  handlers: Array<(event: unknown) => Promise<CheckResult>>,
  beforeTick: (minute: number) => void = () => undefined,
): Promise<number[]> {
  const perTick: number[] = [];
  for (let minute = 0; minute < ticks; minute += 1) {
    simClock.set(Date.parse('2026-03-02T08:00:00Z') + minute * MINUTE_MS);
    beforeTick(minute);
    const before = reads();
    await Promise.all(handlers.map((handler) => handler({ account })));
    perTick.push(reads() - before);
  }
  return perTick;
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
  simClock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
  simulator = await AmpecoSimulator.start({ clock: simClock, token: TOKEN });
  account = `cadence-${randomBytes(3).toString('hex')}`;
  ssm.set(`/stopwatt/${account}/token`, TOKEN, 'SecureString');
  ssm.set(`/stopwatt/${account}/rules`, JSON.stringify({ energyKwh: 50 }));
  output = new OutputCapture();
});

afterEach(async () => {
  output.restore();
  for (const instance of instances.splice(0)) instance.destroy();
  await simulator.close();
});

describe('adaptive cadence in the check handler', () => {
  it('reads the API at most every idle interval while no session is open: 12 reads in 60 ticks', async () => {
    // Prepare
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(60, [handler]);

    // Assess
    expect(perTick.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(12);
    expect(perTick.map((n, minute) => (n > 0 ? minute : -1)).filter((m) => m >= 0)).toEqual([
      0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55,
    ]);
    // Without a session the fallback route is asked too: two requests per read.
    expect(simulator.requests.length).toBeLessThanOrEqual(24);
  });

  it('finds a new session within the idle interval and then reads it on every tick', async () => {
    // Prepare: the car is plugged in at minute 17.
    const handler = newHandler();

    // Act
    const perTick = await tickEveryMinute(26, [handler], (minute) => {
      if (minute === 17) simulator.addSession({ energyWh: 2_000, powerKw: 11 });
    });

    // Assess: read at 15 (nothing), at 20 (found, 3 minutes after plug-in), then every minute.
    expect(perTick.slice(15)).toEqual([1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('lets only one of two concurrent invocations read while idle, and never skips a due read', async () => {
    // Prepare: two warm instances invoked at the same moment every minute.
    const handlers = [newHandler(), newHandler()];

    // Act
    const perTick = await tickEveryMinute(30, handlers);

    // Assess
    expect(perTick).toEqual(Array.from({ length: 30 }, (_, minute) => (minute % 5 === 0 ? 1 : 0)));
  });

  it('still ends a session at its target with the precise in-tick wait', async () => {
    // Prepare: 20 Wh below 50 kWh at 50 kW, about 1.4 s away, inside the 60 s horizon. The assertion
    // reads the meter at /end, so this relies on continuous energy.
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
