/**
 * The log cannot be written: the tick fails loudly, never stops unlogged, and the next tick
 * completes the record from the session status (reconciling) without a second `/end`.
 * - DynamoDB (real handler, DynamoDB Local behind a fault proxy): the stop result is denied right
 *   after a successful `/end`. (Claim write denied/throttled/lost is in check-handler.test.ts.)
 * - Local store (spawned CLI): the store or the session directory is not writable, or result.json
 *   cannot be written after `/end`.
 * - runCheck over a file log on a manual clock: a claim without a result, and a stop the charger
 *   accepts but ignores, are re-sent only after 2 minutes, at most 3 attempts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { parseRules } from '../../lambdas/config.ts';
import { StopFailedError } from '../../lambdas/errors.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { type CheckDeps, runCheck } from '../../lambdas/run-check.ts';
import { AmpecoSimulator, ManualClock, realClock } from '../../lambdas/simulator/server.ts';
import { baseEnv, runCli, storedSession } from '../support/cli-runner.ts';
import { createTestTable, partitionItems, type TestTable } from '../support/dynamodb.ts';
import { DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy.ts';
import { createTestHandler, OutputCapture } from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const END = /^\/api\/v1\/app\/session\/[^/]+\/end$/;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSim(options: Parameters<typeof AmpecoSimulator.start>[0]): Promise<AmpecoSimulator> {
  const sim = await AmpecoSimulator.start(options);
  cleanups.push(() => sim.close());
  return sim;
}

describe('DynamoDB: the stop result cannot be written after a successful /end', () => {
  const ACCOUNT = 'home';
  const EVENT = { account: ACCOUNT };
  const TOKEN = `persist-${randomBytes(12).toString('hex')}`;
  let ssm: SsmServer;
  let proxy: DynamoDbFaultProxy;
  let table: TestTable;

  beforeAll(async () => {
    const endpoint = inject('dynamoDbEndpoint');
    ssm = await SsmServer.start();
    proxy = await DynamoDbFaultProxy.start(endpoint);
    table = await createTestTable(endpoint);
    ssm.set(`/stopwatt/${ACCOUNT}/token`, TOKEN, 'SecureString');
    ssm.set(`/stopwatt/${ACCOUNT}/rules`, JSON.stringify({ energyKwh: 5 }));
  });

  afterAll(async () => {
    await ssm?.close();
    await proxy?.close();
    await table?.drop();
  });

  async function sortKeys(sessionId: string): Promise<Map<string, Record<string, unknown>>> {
    const items = await partitionItems(table, `SESSION#${ACCOUNT}#${sessionId}`);
    return new Map(items.map((item) => [String(item.sk), item]));
  }

  it('fails the tick loudly, then the next tick reconciles STOP#RESULT without a second /end', async () => {
    // Prepare: every PutItem is denied from the moment the simulator accepts the stop.
    const sim = await startSim({ token: TOKEN });
    const { id } = sim.addSession({ energyWh: 6_000, powerKw: 11, stopDelayMs: 3_600_000 });
    sim.inject({
      kind: 'transform',
      method: 'POST',
      path: END,
      transform: (json) => {
        proxy.fail({ operation: 'PutItem', code: 'AccessDeniedException', times: 1_000 });
        return json;
      },
    });
    const instance = createTestHandler({
      apiUrl: sim.url,
      ssmUrl: ssm.url,
      dynamoDbEndpoint: proxy.url,
      tableName: table.tableName,
      account: ACCOUNT,
    });
    const output = new OutputCapture();

    // Act
    let first: unknown;
    let second: Awaited<ReturnType<typeof instance.handler>>;
    let afterFirst: Map<string, Record<string, unknown>>;
    try {
      first = await instance.handler(EVENT).then(
        () => null,
        (error: unknown) => error,
      );
      proxy.clear();
      afterFirst = await sortKeys(id);
      second = await instance.handler(EVENT);
    } finally {
      output.restore();
    }

    // Assess
    expect(first).toMatchObject({
      name: 'SessionLogError',
      message: expect.stringMatching(/stop result 1 of session \d+.*AccessDeniedException/),
    });
    expect(afterFirst.get('STOP#CLAIM')).toMatchObject({ attempt: 1, reason: 'energy' });
    expect(afterFirst.has('STOP#RESULT')).toBe(false);
    expect(second).toMatchObject({ action: 'already-stopping', sessionId: id });
    const afterSecond = await sortKeys(id);
    expect(afterSecond.get('STOP#RESULT')).toMatchObject({
      attempt: 1,
      outcome: 'accepted',
      detail: expect.stringContaining('reconciled: session was stopping'),
    });
    expect(sim.endRequests(id)).toHaveLength(1);
    const errors = output.logs().filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.message)).toContain('stop result 1');
  });
});

describe('local store: not writable', () => {
  async function cliWorld(): Promise<{
    sim: AmpecoSimulator;
    store: string;
    env: NodeJS.ProcessEnv;
    id: string;
  }> {
    const token = `persist-${randomBytes(12).toString('hex')}`;
    const sim = await startSim({ clock: realClock(), token });
    const store = await tempDir('stopwatt-persist-', cleanups);
    const { id } = sim.addSession({ energyWh: 10_500, powerKw: 11, stopDelayMs: 600_000 });
    return {
      sim,
      store,
      id,
      env: { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store },
    };
  }

  const CHECK = ['check', '--json', '--energy-kwh', '10'];

  it('exits 1 without calling the API when the store path is a file', async () => {
    // Prepare: (the tests run as root here, so chmod would not stop a write; a file always does)
    const { sim, store, env } = await cliWorld();
    const file = join(store, 'not-a-dir');
    await writeFile(file, 'x');

    // Act
    const run = await runCli(CHECK, { ...env, STOPWATT_STORE: file });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^stopwatt: [^\n]*not-a-dir[^\n]*\n$/);
    expect(sim.requests).toHaveLength(0);
  });

  it('exits 1 and sends no stop when the session directory cannot be created', async () => {
    // Prepare: a regular file where the session's directory would go.
    const { sim, store, env, id } = await cliWorld();
    const sessions = join(store, 'accounts', 'local', 'sessions');
    await mkdir(sessions, { recursive: true });
    await writeFile(join(sessions, id), 'in the way');

    // Act
    const run = await runCli(CHECK, env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^stopwatt: local store: could not (read|record) [^\n]+ENOTDIR[^\n]+\n$/);
    expect(sim.endRequests()).toHaveLength(0);
  });

  it('fails loudly when result.json cannot be written after /end, then reconciles on the next tick', async () => {
    // Prepare: a directory where result.json goes makes the atomic rename fail.
    const { sim, store, env, id } = await cliWorld();
    const sessionDir = join(store, 'accounts', 'local', 'sessions', id);
    await mkdir(join(sessionDir, 'result.json', 'blocker'), { recursive: true });

    // Act
    const first = await runCli(CHECK, env);
    await rm(join(sessionDir, 'result.json'), { recursive: true });
    const second = await runCli(CHECK, env);

    // Assess
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/^stopwatt: local store: could not record the stop result[^\n]+\n$/);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ action: 'already-stopping', sessionId: id });
    expect(sim.endRequests(id)).toHaveLength(1);
    const log = await storedSession(store, id);
    expect(log.claims).toEqual([1]);
    expect(log.result).toMatchObject({
      attempt: 1,
      outcome: 'accepted',
      detail: expect.stringContaining('reconciled: session was stopping'),
    });
    // No temp file is left behind by the failed atomic write.
    expect((await readdir(sessionDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('local store: the stop claim file', () => {
  const claim = (by: string) => ({
    sessionId: '4711',
    attempt: 1,
    claimedAt: new Date('2026-02-02T10:00:00Z'),
    reason: 'energy' as const,
    detail: 'energy 10.5 kWh reached the target of 10 kWh',
    by,
  });

  it('has one winner among 20 concurrent claimers and is never seen empty or half-written', async () => {
    // Prepare
    const dir = await tempDir('stopwatt-claim-', cleanups);
    const file = join(dir, 'accounts', 'local', 'sessions', '4711', 'claim-1.json');
    const seen: string[] = [];
    let racing = true;
    const watcher = (async () => {
      while (racing) {
        const text = await readFile(file, 'utf8').catch(() => null);
        if (text !== null) seen.push(text);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        new FileSessionLog({ dir, account: 'local' }).claimStop(claim(`claimer-${n}`)),
      ),
    );
    racing = false;
    await watcher;

    // Assess
    const kinds = results.map((answer) => answer.kind);
    expect(kinds.filter((kind) => kind === 'claimed')).toHaveLength(1);
    const winner = await new FileSessionLog({ dir, account: 'local' }).latestClaim('4711');
    expect(winner?.by).toBe(`claimer-${kinds.indexOf('claimed')}`);
    for (const answer of results) {
      if (answer.kind === 'held') expect(answer.claim).toStrictEqual(winner);
    }
    for (const text of seen) expect(JSON.parse(text)).toMatchObject({ attempt: 1, by: winner?.by });
    expect((await readdir(join(dir, 'accounts', 'local', 'sessions', '4711'))).sort()).toEqual([
      'claim-1.json',
      'events.jsonl',
    ]);
  });

  it('is not blocked by the temp file of a claimer that died before publishing its claim', async () => {
    // Prepare
    const dir = await tempDir('stopwatt-claim-', cleanups);
    const sessionDir = join(dir, 'accounts', 'local', 'sessions', '4711');
    await mkdir(sessionDir, { recursive: true });
    await writeFile(join(sessionDir, 'claim-1.json.99999.deadbeef.tmp'), '');
    const log = new FileSessionLog({ dir, account: 'local' });

    // Act
    const claimed = await log.claimStop(claim('survivor'));

    // Assess
    expect(claimed).toStrictEqual({ kind: 'claimed' });
    expect(await log.latestClaim('4711')).toMatchObject({ attempt: 1, by: 'survivor' });
  });
});

describe('runCheck: re-sending only after a failed or ignored stop', () => {
  const T0 = Date.parse('2026-02-02T10:00:00Z');
  const TOKEN = 'persist-run-check-token';

  function manualClock(clock: ManualClock): Clock {
    return {
      now: () => new Date(clock.now()),
      sleep: async (ms) => {
        clock.advance(Math.max(0, ms));
      },
    };
  }

  async function world() {
    const clock = new ManualClock(T0);
    const sim = await startSim({ clock, token: TOKEN });
    const dir = await tempDir('stopwatt-resend-', cleanups);
    const log = new FileSessionLog({ dir, account: 'test' });
    const api = new AmpecoClient({
      apiUrl: sim.url,
      deviceId: '0123456789abcdef',
      auth: { token: async () => TOKEN },
      retries: 0,
    });
    const deps: CheckDeps = {
      api,
      log,
      rules: parseRules({ energyKwh: 10 }),
      clock: manualClock(clock),
      instanceId: 'persist-test',
    };
    return { clock, sim, log, deps };
  }

  it('waits 2 minutes on a claim without a result (the runner died), then sends attempt 2', async () => {
    // Prepare: a claim as left by a process that died before /end.
    const { clock, sim, log, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500 });
    await log.claimStop({
      sessionId: id,
      attempt: 1,
      claimedAt: new Date(T0),
      reason: 'energy',
      detail: 'energy 10.5 kWh reached the target of 10 kWh',
      by: 'a-runner-that-died',
    });

    // Act
    clock.advance(60_000);
    const early = await runCheck(deps);
    clock.advance(60_000);
    const late = await runCheck(deps);

    // Assess
    expect(early).toMatchObject({ action: 'already-stopping', reason: 'energy' });
    expect(early.detail).toContain('waiting for it to take effect');
    expect(late).toMatchObject({ action: 'end', stop: { attempt: 2, outcome: 'accepted' } });
    expect(sim.endRequests(id)).toHaveLength(1);
  });

  it('re-sends a stop the charger accepted but ignored every 2 minutes, 3 attempts, then gives up', async () => {
    // Prepare: /end answers 200 with the session still active, and nothing changes.
    const { clock, sim, log, deps } = await world();
    // Started an hour ago: 10.5 kWh delivered in no time would be an impossible reading.
    const { id } = sim.addSession({
      energyWh: 10_500,
      powerKw: 0,
      startedAt: new Date(clock.now() - 3_600_000),
    });
    sim.inject({
      kind: 'status',
      status: 200,
      method: 'POST',
      path: END,
      times: Number.POSITIVE_INFINITY,
      body: { session: { id, status: 'active' } },
    });

    // Act
    const outcomes: string[] = [];
    for (let tick = 0; tick < 8; tick++) {
      outcomes.push(
        await runCheck(deps).then(
          (outcome) => outcome.action,
          (error: unknown) => (error instanceof StopFailedError ? 'gave-up' : String(error)),
        ),
      );
      clock.advance(60_000);
    }

    // Assess
    expect(outcomes).toEqual([
      'end',
      'already-stopping',
      'end',
      'already-stopping',
      'end',
      'already-stopping',
      'gave-up',
      'gave-up',
    ]);
    expect(sim.endRequests(id)).toHaveLength(3);
    expect(await log.latestClaim(id)).toMatchObject({ attempt: 3 });
  });
});
