import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbSessionLog } from '../../lambdas/adapters/dynamodb/session-log.ts';
import type { Decision } from '../../lambdas/core/decide.ts';
import type { Snapshot } from '../../lambdas/core/snapshot.ts';
import { SessionLogError } from '../../lambdas/errors.ts';
import type { SessionSummary, StopClaim, StopResult } from '../../lambdas/ports.ts';
import { createLocalClient, createTestTable, type TestTable } from '../support/dynamodb.ts';

const T0 = new Date('2025-03-10T17:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const WRITTEN_AT = new Date('2025-03-10T18:00:00.000Z');
const TTL_DAYS = 30;

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoDbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

/** A log for a fresh account, so tests sharing the table never see each other's items. */
function newLog(account = `acct-${randomUUID().slice(0, 8)}`): DynamoDbSessionLog {
  return new DynamoDbSessionLog({
    client: table.client,
    tableName: table.tableName,
    account,
    ttlDays: TTL_DAYS,
    now: () => WRITTEN_AT,
  });
}

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
    by: 'invocation-a',
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
    endedAt: at(8),
    status: 'finished',
    energyKwh: 20.004,
    cost: 58.1,
    currency: 'DKK',
    stopReason: 'energy',
    stopDetail: 'energy 20 kWh reached the target of 20 kWh',
    ...overrides,
  };
}

const DECISIONS: readonly Decision[] = [
  { action: 'none' },
  { action: 'already-stopping', sessionId: 's-1', status: 'stopping' },
  {
    action: 'continue',
    sessionId: 's-1',
    notes: ['energy 7.321 of 20 kWh', 'price 2.1 of max 3/kWh'],
    wake: { at: at(42), reason: 'energy' },
  },
  { action: 'continue', sessionId: 's-1', notes: [], wake: null },
  {
    action: 'end',
    sessionId: 's-1',
    reason: 'price',
    detail: 'price 3.2/kWh (session) is above the limit of 3',
  },
];

/** The behaviour every SessionLog shares is in session-log-contract.test.ts; this is DynamoDB's own. */
describe('DynamoDbSessionLog against DynamoDB Local', () => {
  it('round-trips every kind of decision through the timeline', async () => {
    // Prepare
    const log = newLog();

    // Act
    for (const [i, decision] of DECISIONS.entries()) await log.recordDecision('s-1', at(i), decision);
    const timeline = await log.timeline('s-1');

    // Assess
    expect(timeline).toStrictEqual(
      DECISIONS.map((decision, i) => ({ kind: 'decision', at: at(i), decision })),
    );
  });

  it('lists the sessions started since a date, newest listing per session', async () => {
    // Prepare
    const log = newLog();
    const march1 = summary({ sessionId: 'a', startedAt: new Date('2025-03-01T08:00:00.000Z') });
    const march5 = summary({ sessionId: 'b', startedAt: new Date('2025-03-05T08:00:00.000Z') });
    const march9 = summary({ sessionId: 'c', startedAt: new Date('2025-03-09T08:00:00.000Z') });
    // Session d was first seen without a start time; the later summary knows it.
    const dUnknown = summary({ sessionId: 'd', startedAt: null, lastSeenAt: at(1), status: 'active' });
    const dKnown = summary({
      sessionId: 'd',
      startedAt: new Date('2025-03-10T16:00:00.000Z'),
      lastSeenAt: at(2),
    });
    const eUnknownOld = summary({
      sessionId: 'e',
      startedAt: null,
      lastSeenAt: new Date('2025-02-01T00:00:00.000Z'),
    });
    for (const s of [march9, march1, march5, dUnknown, dKnown, eUnknownOld]) await log.putSummary(s);

    // Act
    const since = await log.listSessions({ since: new Date('2025-03-05T00:00:00.000Z') });
    const all = await log.listSessions();

    // Assess
    expect(since).toStrictEqual([march5, march9, dKnown]);
    expect(all).toStrictEqual([march1, march5, march9, dKnown, eUnknownOld]);
    expect(await newLog().listSessions()).toStrictEqual([]);
  });

  it('gives observations and decisions a TTL, and keeps claims and summaries', async () => {
    // Prepare
    const account = `acct-${randomUUID().slice(0, 8)}`;
    const log = newLog(account);
    const pk = `SESSION#${account}#s-1`;
    const expected = Math.floor(at(0).getTime() / 1000) + TTL_DAYS * 86_400;

    // Act
    await log.recordObservation(snapshot({ observedAt: at(0) }));
    await log.recordDecision('s-1', at(0), { action: 'none' });
    await log.claimStop(claim());
    await log.putSummary(summary());
    const item = async (sk: string) =>
      (
        await table.sdk.send(
          new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: pk }, sk: { S: sk } } }),
        )
      ).Item;

    // Assess
    expect((await item('OBS#2025-03-10T17:00:00.000Z'))?.expiresAt).toStrictEqual({ N: String(expected) });
    expect((await item('DECISION#2025-03-10T17:00:00.000Z'))?.expiresAt).toStrictEqual({
      N: String(expected),
    });
    const claimItem = await item('STOP#CLAIM');
    expect(claimItem?.attempt).toStrictEqual({ N: '1' });
    expect(claimItem?.expiresAt).toBeUndefined();
    expect((await item('SUMMARY'))?.expiresAt).toBeUndefined();
    expect((await item('SUMMARY'))?.writtenAt).toStrictEqual({ S: WRITTEN_AT.toISOString() });
  });

  it('throws SessionLogError for every operation when the table does not exist', async () => {
    // Prepare
    const client = createLocalClient(inject('dynamoDbEndpoint'), 1);
    const log = new DynamoDbSessionLog({ client, tableName: 'no-such-table', account: 'acct', ttlDays: 1 });
    const operations: Record<string, () => Promise<unknown>> = {
      recordObservation: () => log.recordObservation(snapshot()),
      recordDecision: () => log.recordDecision('s-1', at(0), { action: 'none' }),
      claimStop: () => log.claimStop(claim()),
      latestClaim: () => log.latestClaim('s-1'),
      recordStopResult: () => log.recordStopResult(result()),
      latestStopResult: () => log.latestStopResult('s-1'),
      lastObservation: () => log.lastObservation('s-1'),
      putSummary: () => log.putSummary(summary()),
      listSessions: () => log.listSessions(),
      timeline: () => log.timeline('s-1'),
    };

    // Act
    const errors = await Promise.all(
      Object.entries(operations).map(async ([name, run]) => [
        name,
        await run().then(
          () => null,
          (e: unknown) => e,
        ),
      ]),
    );

    // Assess
    for (const [name, error] of errors) {
      expect(error, String(name)).toBeInstanceOf(SessionLogError);
      expect((error as SessionLogError).message).toContain('no-such-table');
      expect((error as SessionLogError).cause).toMatchObject({ code: 'ResourceNotFoundException' });
    }
  });

  it('throws SessionLogError naming the item when a stored record is damaged', async () => {
    // Prepare
    const account = `acct-${randomUUID().slice(0, 8)}`;
    const log = newLog(account);
    await table.sdk.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: `SESSION#${account}#s-1` },
          sk: { S: 'OBS#2025-03-10T17:00:00.000Z' },
          sessionId: { S: 's-1' },
          observedAt: { S: 'yesterday' },
        },
      }),
    );

    // Act
    const error = await log.lastObservation('s-1').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SessionLogError);
    expect((error as Error).message).toContain('OBS#2025-03-10T17:00:00.000Z');
    expect((error as Error).message).toContain('observedAt');
  });

  it('refuses to store a snapshot that DynamoDB could not hold', async () => {
    // Prepare
    const log = newLog();

    // Act
    const error = await log.recordObservation(snapshot({ energyKwh: Number.NaN })).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SessionLogError);
    expect((error as Error).message).toContain('energyKwh');
  });

  it('keeps accounts apart for the same session id', async () => {
    // Prepare
    const mine = newLog();
    const theirs = newLog();
    await theirs.recordObservation(snapshot());
    await theirs.claimStop(claim());
    await theirs.putSummary(summary());

    // Act
    const claimed = await mine.claimStop(claim());

    // Assess
    expect(claimed).toStrictEqual({ kind: 'claimed' });
    expect(await mine.lastObservation('s-1')).toBeNull();
    expect(await mine.listSessions()).toStrictEqual([]);
  });
});
