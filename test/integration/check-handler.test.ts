/**
 * The real check handler (`createHandler` and the Lambda entry `handler`) end to end on loopback:
 * AMPECO simulator over HTTP, SSM JSON server, DynamoDB Local, real SDK clients, real Powertools
 * Logger and Metrics (their output captured from the process streams). No SDK mocks.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { CheckResult } from '../../lambdas/check/handler.ts';
import {
  AmpecoSimulator,
  type SimSessionOptions,
  type SimSessionState,
} from '../../lambdas/simulator/server.ts';
import { createTestTable, partitionItems, type TestTable } from '../support/dynamodb.ts';
import { DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import {
  createTestHandler,
  type HandlerHarnessOptions,
  type JsonRecord,
  OutputCapture,
} from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';

const ACCOUNT = 'home';
const TOKEN_PARAMETER = '/stopwatt/home/token';
const RULES_PARAMETER = '/stopwatt/home/rules';
/** Random per run, and not JWT-shaped: only the handler's secret scrubbing can hide it. */
const TOKEN = `test-token-${randomUUID()}`;
const EVENT = { account: ACCOUNT };

let simulator: AmpecoSimulator;
let ssm: SsmServer;
let proxy: DynamoDbFaultProxy;
let table: TestTable;
let doc: DynamoDBDocumentClient;
let dynamoDbEndpoint: string;
let output: OutputCapture;
const sessionIds: string[] = [];

beforeAll(async () => {
  dynamoDbEndpoint = inject('dynamoDbEndpoint');
  simulator = await AmpecoSimulator.start({ token: TOKEN });
  ssm = await SsmServer.start();
  proxy = await DynamoDbFaultProxy.start(dynamoDbEndpoint);
  table = await createTestTable(dynamoDbEndpoint);
  doc = DynamoDBDocumentClient.from(table.sdk);
});

afterAll(async () => {
  await simulator?.close();
  await ssm?.close();
  await proxy?.close();
  await table?.drop();
});

beforeEach(() => {
  for (const id of sessionIds.splice(0)) simulator.removeSession(id);
  simulator.requests.length = 0;
  simulator.clearFaults();
  simulator.setToken(TOKEN);
  proxy.clear();
  ssm.parameters.clear();
  ssm.requests.length = 0;
  ssm.set(TOKEN_PARAMETER, TOKEN, 'SecureString');
  ssm.set(RULES_PARAMETER, JSON.stringify({ energyKwh: 5 }));
  output = new OutputCapture();
});

afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

/** A new "Lambda instance" (own clients, logger, metrics, runtime cache) on the shared test table. */
function newHandler(
  overrides: Partial<HandlerHarnessOptions> = {},
): (event: unknown) => Promise<CheckResult> {
  const instance = createTestHandler({
    apiUrl: simulator.url,
    ssmUrl: ssm.url,
    dynamoDbEndpoint,
    tableName: table.tableName,
    ...overrides,
  });
  return instance.handler;
}

/** An active personal session over the 5 kWh target that stays `stopping` once ended (no finish in the test). */
function addSession(options: SimSessionOptions = {}): SimSessionState {
  const session = simulator.addSession({ energyWh: 6_000, powerKw: 11, stopDelayMs: 3_600_000, ...options });
  sessionIds.push(session.id);
  return session;
}

function sessionItems(sessionId: string): Promise<JsonRecord[]> {
  return partitionItems(table, `SESSION#${ACCOUNT}#${sessionId}`);
}

async function listingItems(sessionId: string): Promise<JsonRecord[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${ACCOUNT}`, ':prefix': 'SESSION#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).filter((item) => item.sessionId === sessionId);
}

async function scanTable(): Promise<JsonRecord[]> {
  const items: JsonRecord[] = [];
  for await (const page of paginateScan(
    { client: doc },
    { TableName: table.tableName, ConsistentRead: true },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

function sortKeys(items: JsonRecord[]): string[] {
  return items.map((item) => String(item.sk));
}

function errorLogs(): JsonRecord[] {
  return output.logs().filter((line) => line.level === 'ERROR');
}

function metricNames(): string[] {
  return output.metrics().map((metric) => metric.name);
}

describe('check handler: a session over its energy target', () => {
  it('ends the session once and logs observation, decision, claim, result, summary and listing', async () => {
    // Prepare
    const session = addSession();
    const handler = newHandler();
    const before = Math.floor(Date.now() / 1000);

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(result).toMatchObject({
      account: ACCOUNT,
      action: 'end',
      reason: 'energy',
      sessionId: session.id,
    });
    expect(result.energyKwh).toBeGreaterThanOrEqual(5);
    expect(result.powerKw).toBeCloseTo(11, 1);
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    expect(simulator.endRequests()).toHaveLength(1);
    expect(simulator.session(session.id)?.status).toBe('stopping');

    const items = await sessionItems(session.id);
    const keys = sortKeys(items);
    expect(keys.filter((key) => key.startsWith('OBS#'))).toHaveLength(1);
    expect(keys.filter((key) => key.startsWith('DECISION#'))).toHaveLength(1);
    expect(keys).toEqual(expect.arrayContaining(['STOP#CLAIM', 'STOP#RESULT', 'SUMMARY']));
    for (const item of items.filter((i) => String(i.sk).startsWith('OBS#'))) {
      expect(item.expiresAt).toEqual(expect.any(Number));
      // 90 days (the default STOPWATT_TTL_DAYS) after the observation, in epoch seconds.
      expect(Number(item.expiresAt)).toBeGreaterThanOrEqual(before + 89 * 86_400);
    }
    const byKey = new Map(items.map((item) => [String(item.sk), item]));
    expect(byKey.get('STOP#CLAIM')).toMatchObject({ attempt: 1, reason: 'energy', kind: 'claim' });
    expect(byKey.get('STOP#RESULT')).toMatchObject({ attempt: 1, outcome: 'accepted', reason: 'energy' });
    expect(byKey.get('SUMMARY')).toMatchObject({ status: 'stopping', stopReason: 'energy' });
    const listing = await listingItems(session.id);
    expect(listing.length).toBeGreaterThanOrEqual(1);
    expect(String(listing[0]?.sk)).toMatch(new RegExp(`^SESSION#.+#${session.id}$`));
  });

  it('does not send the stop again when the next tick finds the session stopping', async () => {
    // Prepare
    const session = addSession();
    const handler = newHandler();
    await handler(EVENT);

    // Act
    const second = await newHandler()(EVENT);
    const third = await handler(EVENT);

    // Assess
    expect(second).toMatchObject({ action: 'already-stopping', sessionId: session.id });
    expect(third).toMatchObject({ action: 'already-stopping', sessionId: session.id });
    expect(simulator.endRequests(session.id)).toHaveLength(1);
  });

  it('sends exactly one stop when two Lambda instances tick the same session in parallel', async () => {
    // Prepare
    const first = newHandler();
    const second = newHandler();
    const rounds = 5;

    for (let round = 0; round < rounds; round += 1) {
      for (const id of sessionIds.splice(0)) simulator.removeSession(id);
      const session = addSession();

      // Act
      const results = await Promise.all([first(EVENT), second(EVENT)]);

      // Assess
      expect(simulator.endRequests(session.id), `round ${round}`).toHaveLength(1);
      expect(results.map((r) => r.action).sort(), `round ${round}`).toEqual(['already-stopping', 'end']);
      expect(results.every((r) => r.sessionId === session.id)).toBe(true);
      const claim = (await sessionItems(session.id)).find((item) => item.sk === 'STOP#CLAIM');
      expect(claim?.claims, `round ${round}`).toHaveLength(1);
    }
    expect(simulator.endRequests()).toHaveLength(rounds);
  });
});

describe('check handler: precise stop within the tick', () => {
  it('waits inside the tick for the predicted moment and ends the session at the target', async () => {
    // Prepare: 20 Wh below 5 kWh at 50 kW is about 1.4 s away, inside a 60 s horizon.
    const session = addSession({ energyWh: 4_980, powerKw: 50, meter: 'continuous' });
    const handler = newHandler({ horizonSeconds: 60 });

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(result).toMatchObject({ action: 'end', reason: 'energy', sessionId: session.id });
    const [end] = simulator.endRequests(session.id);
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    // Within the 15 Wh meter tolerance below, and well under a minute's overshoot (830 Wh) above.
    expect(end?.sessionEnergyWh).toBeGreaterThanOrEqual(4_985);
    expect(end?.sessionEnergyWh).toBeLessThan(5_100);
    const info = output.logs().find((line) => line.level === 'INFO');
    expect(info?.waitedMs).toEqual(expect.any(Number));
    expect(Number(info?.waitedMs)).toBeGreaterThan(500);
    const keys = sortKeys(await sessionItems(session.id));
    expect(keys.filter((key) => key.startsWith('OBS#'))).toHaveLength(2);
  });
});

describe('check handler: configuration errors', () => {
  it.each([
    ['a negative energy target', JSON.stringify({ energyKwh: -1 })],
    ['text that is not JSON', 'not json'],
  ])('rejects invalid rules (%s) naming the parameter, and ends nothing', async (_label, rules) => {
    // Prepare
    const session = addSession();
    ssm.set(RULES_PARAMETER, rules);
    const handler = newHandler();

    // Act
    const outcome = handler(EVENT);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining(RULES_PARAMETER),
    });
    expect(simulator.endRequests()).toHaveLength(0);
    expect(await sessionItems(session.id)).toEqual([]);
    const errors = errorLogs();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      service: 'stopwatt',
      account: ACCOUNT,
      badInput: true,
      message: expect.stringContaining(RULES_PARAMETER),
    });
    expect(metricNames()).toContain('Failures');
    expect(metricNames()).not.toContain('SuccessfulTicks');
  });

  it('rejects with the command to run when no token is stored, without calling the API', async () => {
    // Prepare
    addSession();
    ssm.parameters.delete(TOKEN_PARAMETER);
    const handler = newHandler();

    // Act
    const outcome = handler(EVENT);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('stopwatt token set --account home'),
    });
    expect(simulator.requests).toHaveLength(0);
    expect(errorLogs()).toHaveLength(1);
    expect(metricNames()).toContain('Failures');
  });

  it.each([
    ['an empty object', {}, /invalid event/],
    ['a numeric account', { account: 42 }, /invalid event/],
    ['no object at all', null, /invalid event/],
    ['an account not in STOPWATT_ACCOUNTS', { account: 'nobody' }, /unknown account "nobody"/],
  ])('rejects an event with %s as bad input and stops nothing', async (_label, event, message) => {
    // Prepare
    addSession();
    const handler = newHandler();

    // Act
    const outcome = handler(event);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(message),
    });
    expect(simulator.requests).toHaveLength(0);
    expect(ssm.requests).toHaveLength(0);
    expect(errorLogs()[0]).toMatchObject({ badInput: true, message: expect.stringMatching(message) });
    expect(metricNames()).toContain('Failures');
  });
});

describe('check handler: the API rejects the token', () => {
  it('rejects with the auth error and never writes the token to logs, metrics or the table', async () => {
    // Prepare: one successful stopping tick first, so the table and the output hold real records.
    addSession();
    const handler = newHandler();
    await handler(EVENT);
    for (const id of sessionIds.splice(0)) simulator.removeSession(id);
    addSession();
    simulator.setToken(`other-${randomUUID()}`);
    const other = newHandler();

    // Act
    const outcome = other(EVENT);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'AuthError', message: expect.stringMatching(/401/) });
    await expect(outcome).rejects.not.toMatchObject({ message: expect.stringContaining(TOKEN) });
    expect(simulator.endRequests()).toHaveLength(1);
    expect(errorLogs()).toHaveLength(1);
    expect(errorLogs()[0]?.message).toMatch(/401/);
    const captured = output.text();
    expect(captured.length).toBeGreaterThan(0);
    expect(captured).not.toContain(TOKEN);
    const items = await scanTable();
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.stringify(items)).not.toContain(TOKEN);
  });
});

describe('check handler: the last tick for the phone page', () => {
  it('keeps what each tick did, a failure included, without the token', async () => {
    // Prepare
    const session = addSession();
    const handler = newHandler();

    // Act
    await handler(EVENT);
    const afterStop = await partitionItems(table, `TICK#${ACCOUNT}`);
    simulator.setToken(`other-${randomUUID()}`);
    await expect(newHandler()(EVENT)).rejects.toMatchObject({ name: 'AuthError' });
    const afterFailure = await partitionItems(table, `TICK#${ACCOUNT}`);

    // Assess
    expect(afterStop).toEqual([
      expect.objectContaining({
        sk: 'LATEST',
        action: 'end',
        error: null,
        detail: expect.stringContaining('ended'),
      }),
    ]);
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    expect(afterFailure).toEqual([
      expect.objectContaining({ action: 'error', error: expect.stringMatching(/401/) }),
    ]);
    expect(JSON.stringify(afterFailure)).not.toContain(TOKEN);
  });
});

describe('check handler: the session log cannot be written', () => {
  it('rejects with a SessionLogError and sends no stop when the table does not exist', async () => {
    // Prepare
    addSession();
    const missing = `stopwatt-missing-${randomUUID()}`;
    const handler = newHandler({ tableName: missing });

    // Act
    const outcome = handler(EVENT);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'SessionLogError',
      message: expect.stringContaining(missing),
    });
    expect(simulator.endRequests()).toHaveLength(0);
    expect(errorLogs()).toHaveLength(1);
    expect(metricNames()).toContain('Failures');
  });

  it('rejects with a SessionLogError and sends no stop when only the stop claim is denied', async () => {
    // Prepare: every call reaches DynamoDB Local except the claim (the only UpdateItem of a tick).
    const session = addSession();
    proxy.fail({ operation: 'UpdateItem', code: 'AccessDeniedException', times: 10 });
    const handler = newHandler({ dynamoDbEndpoint: proxy.url });

    // Act
    const outcome = handler(EVENT);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'SessionLogError',
      message: expect.stringMatching(/stop claim 1 of session .*AccessDeniedException|injected AccessDenied/),
    });
    expect(simulator.endRequests()).toHaveLength(0);
    const keys = sortKeys(await sessionItems(session.id));
    expect(keys.some((key) => key.startsWith('OBS#'))).toBe(true);
    expect(keys).not.toContain('STOP#CLAIM');
  });

  it('retries a throttled claim write and then ends the session once', async () => {
    // Prepare
    const session = addSession();
    proxy.fail({ operation: 'UpdateItem', code: 'ProvisionedThroughputExceededException', times: 2 });
    const handler = newHandler({ dynamoDbEndpoint: proxy.url });

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(result).toMatchObject({ action: 'end', sessionId: session.id });
    expect(proxy.operations.filter((operation) => operation === 'UpdateItem')).toHaveLength(3);
    expect(simulator.endRequests(session.id)).toHaveLength(1);
  });
});

describe('check handler: ambiguous claim writes', () => {
  it('still ends the session when the answer to its claim write is lost and the SDK retries it', async () => {
    // Prepare: DynamoDB applies the claim, but the client sees a 500 and retries the conditional write.
    const session = addSession();
    proxy.fail({ operation: 'UpdateItem', code: 'InternalServerError', status: 500, mode: 'lose-response' });
    const handler = newHandler({ dynamoDbEndpoint: proxy.url });

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(proxy.operations.filter((operation) => operation === 'UpdateItem')).toHaveLength(2);
    expect(result).toMatchObject({ action: 'end', reason: 'energy', sessionId: session.id });
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    const claim = (await sessionItems(session.id)).find((item) => item.sk === 'STOP#CLAIM');
    expect(claim?.claims).toHaveLength(1);
  });
});

describe('check handler: metrics', () => {
  it('emits Ticks, SuccessfulTicks and Stops in EMF under Stopwatt with the service dimension', async () => {
    // Prepare
    addSession();
    const handler = newHandler();

    // Act
    await handler(EVENT);

    // Assess
    const metrics = output.metrics();
    for (const name of ['Ticks', 'SuccessfulTicks', 'Stops']) {
      const metric = metrics.find((m) => m.name === name);
      expect(metric, name).toBeDefined();
      expect(metric?.namespace).toBe('Stopwatt');
      expect(metric?.dimensions).toContainEqual(['service']);
      expect(metric?.line.service).toBe('stopwatt');
      expect(metric?.value).toBe(1);
    }
    expect(metricNames()).not.toContain('Failures');
    expect(output.logs().find((line) => line.level === 'INFO')).toMatchObject({
      service: 'stopwatt',
      account: ACCOUNT,
      action: 'end',
      reason: 'energy',
    });
  });

  it('counts a tick without a session as successful, without Stops', async () => {
    // Prepare
    const handler = newHandler();

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(result).toMatchObject({ account: ACCOUNT, action: 'none', sessionId: null });
    expect(metricNames()).toEqual(expect.arrayContaining(['Ticks', 'SuccessfulTicks']));
    expect(metricNames()).not.toContain('Stops');
    expect(metricNames()).not.toContain('Failures');
  });
});

describe('Lambda entry point', () => {
  it('builds its clients from the function environment and ends the session', async () => {
    // Prepare: what the stack sets, plus endpoint overrides that point the SDK at loopback.
    const session = addSession();
    vi.stubEnv('STOPWATT_TABLE_NAME', table.tableName);
    vi.stubEnv(
      'STOPWATT_ACCOUNTS',
      JSON.stringify([{ name: ACCOUNT, apiUrl: simulator.url, priceArea: 'DK1', horizonSeconds: 0 }]),
    );
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamoDbEndpoint);
    const { handler } = await import('../../lambdas/check/handler.ts');

    // Act
    const result = await handler(EVENT);

    // Assess
    expect(result).toMatchObject({
      account: ACCOUNT,
      action: 'end',
      reason: 'energy',
      sessionId: session.id,
    });
    expect(simulator.endRequests(session.id)).toHaveLength(1);
    expect(ssm.requestsFor('GetParameter').length).toBeGreaterThan(0);
    expect(sortKeys(await sessionItems(session.id))).toContain('STOP#CLAIM');
    expect(metricNames()).toEqual(expect.arrayContaining(['Ticks', 'SuccessfulTicks', 'Stops']));
  });
});
