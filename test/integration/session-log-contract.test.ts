import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { InMemorySessionLog } from '../../bench/in-memory-session-log.ts';
import { VirtualClock } from '../../bench/virtual-clock.ts';
import { DynamoDbSessionLog } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import type { Decision } from '../../lambdas/core/decide.ts';
import type { Snapshot } from '../../lambdas/core/snapshot.ts';
import type { StopLatencySample } from '../../lambdas/core/stop-latency.ts';
import type { SessionLog, SessionSummary, StopClaim, StopResult } from '../../lambdas/ports.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { tempDir } from '../support/temp-dir.ts';

const T0 = new Date('2025-03-10T17:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let table: TestTable;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  table = await createTestTable(inject('dynamoDbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Each implementation, on fresh storage per call (a new account, directory or instance). */
const IMPLEMENTATIONS: readonly { name: string; create: () => Promise<SessionLog> }[] = [
  {
    name: 'DynamoDbSessionLog (DynamoDB Local)',
    create: async () =>
      new DynamoDbSessionLog({
        client: table.client,
        tableName: table.tableName,
        account: `acct-${randomUUID().slice(0, 8)}`,
        ttlDays: 30,
      }),
  },
  {
    name: 'FileSessionLog (local files)',
    create: async () =>
      new FileSessionLog({ dir: await tempDir('stopwatt-contract-', cleanups), account: 'a' }),
  },
  { name: "the bench's InMemorySessionLog", create: async () => new InMemorySessionLog(new VirtualClock(0)) },
];

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    sessionId: 's-1',
    status: 'active',
    chargingState: 'charging',
    observedAt: at(0),
    startedAt: new Date('2025-03-10T16:12:34.000Z'),
    energyKwh: 7.321,
    powerKw: 10.95,
    cost: 21.37,
    currency: 'DKK',
    sessionPricePerKwh: 2.8125,
    ...overrides,
  };
}

function claim(overrides: Partial<StopClaim> = {}): StopClaim {
  return {
    sessionId: 's-1',
    attempt: 1,
    claimedAt: at(5),
    reason: 'energy',
    detail: 'energy 20 kWh reached the target of 20 kWh',
    by: 'runner-a',
    ...overrides,
  };
}

function result(overrides: Partial<StopResult> = {}): StopResult {
  return {
    sessionId: 's-1',
    attempt: 1,
    at: at(6),
    outcome: 'accepted',
    reason: 'energy',
    detail: 'energy 20 kWh reached the target of 20 kWh',
    energyKwh: 20.004,
    ...overrides,
  };
}

function summary(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    sessionId: 's-1',
    startedAt: new Date('2025-03-10T16:12:34.000Z'),
    lastSeenAt: at(10),
    endedAt: null,
    status: 'active',
    energyKwh: 12.5,
    cost: null,
    currency: 'DKK',
    stopReason: null,
    stopDetail: null,
    ...overrides,
  };
}

function latency(sessionId: string, minutes: number, finalKwh = 20.018): StopLatencySample {
  return { sessionId, at: at(minutes), estimatedKwh: 20.001, finalKwh, powerKw: 21.9 };
}

describe.each(IMPLEMENTATIONS)('SessionLog contract: $name', ({ create }) => {
  it('returns the latest stop latency samples, newest first, and a sample recorded twice once', async () => {
    // Prepare
    const log = await create();
    const samples = [latency('a', 0), latency('c', 20), latency('b', 10), latency('d', 30, 20.03)];

    // Act
    const none = await log.recentStopLatencies(5);
    for (const sample of samples) await log.recordStopLatency(sample);
    await log.recordStopLatency(latency('c', 20));
    const latest = await log.recentStopLatencies(3);
    const all = await log.recentStopLatencies(10);

    // Assess
    expect(none).toStrictEqual([]);
    expect(latest).toStrictEqual([latency('d', 30, 20.03), latency('c', 20), latency('b', 10)]);
    expect(all.map((s) => s.sessionId)).toStrictEqual(['d', 'c', 'b', 'a']);
  });

  it('grants attempt 1 to exactly one of ten concurrent claims and shows the others the winner', async () => {
    // Prepare
    const log = await create();
    const claims = Array.from({ length: 10 }, (_, i) => claim({ by: `runner-${i}` }));

    // Act
    const answers = await Promise.all(claims.map((c) => log.claimStop(c)));

    // Assess
    const winner = claims[answers.findIndex((a) => a.kind === 'claimed')];
    expect(answers.filter((a) => a.kind === 'claimed')).toHaveLength(1);
    expect(answers.filter((a) => a.kind === 'held')).toStrictEqual(
      Array.from({ length: 9 }, () => ({ kind: 'held', claim: winner })),
    );
    expect(await log.latestClaim('s-1')).toStrictEqual(winner);
  });

  it('grants attempt n only right after attempt n - 1', async () => {
    // Prepare
    const log = await create();
    const first = claim({ attempt: 1 });
    const second = claim({ attempt: 2, claimedAt: at(9), by: 'runner-b' });

    // Act
    const secondBeforeFirst = await log.claimStop(claim({ attempt: 2 }));
    const firstAnswer = await log.claimStop(first);
    const thirdBeforeSecond = await log.claimStop(claim({ attempt: 3 }));
    const secondAnswer = await log.claimStop(second);
    const secondAgain = await log.claimStop(claim({ attempt: 2, by: 'runner-c' }));

    // Assess
    expect({ secondBeforeFirst, firstAnswer, thirdBeforeSecond, secondAnswer, secondAgain }).toStrictEqual({
      secondBeforeFirst: { kind: 'held', claim: null },
      firstAnswer: { kind: 'claimed' },
      thirdBeforeSecond: { kind: 'held', claim: first },
      secondAnswer: { kind: 'claimed' },
      secondAgain: { kind: 'held', claim: second },
    });
    expect(await log.latestClaim('s-1')).toStrictEqual(second);
  });

  it('recognises the very claim it stored when it is offered again (a retry after a lost answer)', async () => {
    // Prepare
    const log = await create();
    const mine = claim();
    await log.claimStop(mine);

    // Act
    const retried = await log.claimStop({ ...mine, claimedAt: new Date(mine.claimedAt.getTime()) });
    const sameRunnerOtherTime = await log.claimStop({ ...mine, claimedAt: at(6) });

    // Assess
    expect(retried).toStrictEqual({ kind: 'claimed' });
    expect(sameRunnerOtherTime).toStrictEqual({ kind: 'held', claim: mine });
  });

  it('has no claim and no result for a session that was never stopped', async () => {
    // Prepare
    const log = await create();

    // Act
    const latestClaim = await log.latestClaim('s-1');
    const latestResult = await log.latestStopResult('s-1');

    // Assess
    expect({ latestClaim, latestResult }).toStrictEqual({ latestClaim: null, latestResult: null });
  });

  it('keeps the latest attempt result even when an older result is written later', async () => {
    // Prepare
    const log = await create();
    const failed = result({ attempt: 1, at: at(6), outcome: 'failed', energyKwh: null, error: 'HTTP 502' });
    // With what the stop landed on: the estimate, its power and the latency it aimed earlier by.
    const accepted = result({
      attempt: 2,
      at: at(9),
      estimatedKwh: 20.001,
      powerKw: 21.9,
      stopLatencyMs: 2_800,
    });

    // Act
    await log.recordStopResult(accepted);
    await log.recordStopResult(failed);

    // Assess
    expect(await log.latestStopResult('s-1')).toStrictEqual(accepted);
  });

  it('returns the latest observation exactly as it was recorded, per session', async () => {
    // Prepare
    const log = await create();
    const earlier = snapshot({ observedAt: at(0), energyKwh: 1.5 });
    const latest = snapshot({ observedAt: at(1), energyKwh: 1.75 });
    const withNulls = snapshot({
      sessionId: 's-2',
      chargingState: null,
      startedAt: null,
      powerKw: null,
      cost: null,
      currency: null,
      sessionPricePerKwh: null,
    });

    // Act
    await log.recordObservation(earlier);
    await log.recordObservation(latest);
    await log.recordObservation(withNulls);

    // Assess
    expect(await log.lastObservation('s-1')).toStrictEqual(latest);
    expect(await log.lastObservation('s-2')).toStrictEqual(withNulls);
    expect(await log.lastObservation('no-such-session')).toBeNull();
  });

  it('lists the latest summary of each session started since a date, oldest first', async () => {
    // Prepare
    const log = await create();
    const march1 = summary({ sessionId: 'a', startedAt: new Date('2025-03-01T08:00:00.000Z') });
    const march5 = summary({ sessionId: 'b', startedAt: new Date('2025-03-05T08:00:00.000Z') });
    const march9 = summary({ sessionId: 'c', startedAt: new Date('2025-03-09T08:00:00.000Z') });
    const march9Later = { ...march9, lastSeenAt: at(20), status: 'finished', endedAt: at(19) };
    for (const s of [march9, march1, march5, march9Later]) await log.putSummary(s);

    // Act
    const since = await log.listSessions({ since: new Date('2025-03-05T00:00:00.000Z') });
    const all = await log.listSessions();

    // Assess
    expect(since).toStrictEqual([march5, march9Later]);
    expect(all).toStrictEqual([march1, march5, march9Later]);
  });

  it('returns observations, decisions, claims and results in time order, steps in tick order', async () => {
    // Prepare
    const log = await create();
    const end: Decision = { action: 'end', sessionId: 's-1', reason: 'energy', detail: 'reached' };
    const cont: Decision = {
      action: 'continue',
      sessionId: 's-1',
      notes: ['energy 1 of 20 kWh'],
      wake: null,
    };
    const obs1 = snapshot({ observedAt: at(0) });
    const obs2 = snapshot({ observedAt: at(5), energyKwh: 20 });
    const obs3 = snapshot({ observedAt: at(12), status: 'stopping', energyKwh: 20.01 });
    const claim1 = claim({ attempt: 1, claimedAt: at(5) });
    const result1 = result({ attempt: 1, at: at(6), outcome: 'failed', error: 'timeout' });
    const claim2 = claim({ attempt: 2, claimedAt: at(10) });
    const result2 = result({ attempt: 2, at: at(11) });

    // Act (written out of order on purpose)
    await log.recordObservation(obs3);
    await log.claimStop(claim1);
    await log.recordStopResult(result1);
    await log.recordDecision('s-1', at(5), end);
    await log.recordObservation(obs2);
    await log.claimStop(claim2);
    await log.recordStopResult(result2);
    await log.recordDecision('s-1', at(0), cont);
    await log.recordObservation(obs1);
    await log.putSummary(summary());
    const timeline = await log.timeline('s-1');

    // Assess
    expect(timeline).toStrictEqual([
      { kind: 'observation', at: at(0), snapshot: obs1 },
      { kind: 'decision', at: at(0), decision: cont },
      { kind: 'observation', at: at(5), snapshot: obs2 },
      { kind: 'decision', at: at(5), decision: end },
      { kind: 'claim', at: at(5), claim: claim1 },
      { kind: 'result', at: at(6), result: result1 },
      { kind: 'claim', at: at(10), claim: claim2 },
      { kind: 'result', at: at(11), result: result2 },
      { kind: 'observation', at: at(12), snapshot: obs3 },
    ]);
    expect(await log.timeline('no-such-session')).toStrictEqual([]);
  });
});
