import { ACCOUNT_NAME_RULE } from '../../contract.ts';
import type { Decision } from '../../core/decide.ts';
import type { Snapshot } from '../../core/snapshot.ts';
import type { StopLatencySample } from '../../core/stop-latency.ts';
import { ConfigError, SessionLogError } from '../../errors.ts';
import type {
  ClaimAnswer,
  SessionLog,
  SessionSummary,
  StopClaim,
  StopResult,
  TimelineEntry,
} from '../../ports.ts';
import type { DynamoDb, QueryInput } from '../aws/dynamodb.ts';
import {
  reviveSnapshot,
  reviveStopClaim,
  reviveStopResult,
  serializeDecision,
  serializeSessionSummary,
  serializeSnapshot,
  serializeStopResult,
} from '../serialization.ts';
import { latestPerSession, listingQuery } from './listing.ts';
import {
  accountPk,
  CLAIM_SK,
  decisionSk,
  expiresAt,
  type ItemKind,
  isConditionalCheckFailed,
  isValidAccount,
  listingSk,
  OBSERVATION_PREFIX,
  observationSk,
  RESULT_SK,
  resultAttemptSk,
  SUMMARY_SK,
  sessionPk,
} from './records.ts';
import { writeStopClaim } from './stop-claim.ts';
import { putStopLatency, queryStopLatencies } from './stop-latency-items.ts';
import { getItem, putItem, queryAllItems, tableFailure } from './table-access.ts';
import { timelineFromItems } from './timeline-items.ts';

export { createDynamoDbClient } from './table-access.ts';

export interface DynamoDbSessionLogOptions {
  /** Injected so tests and the handler decide endpoint, region and retries (see createDynamoDbClient). */
  readonly client: DynamoDb;
  readonly tableName: string;
  readonly account: string;
  /** Observations and decisions expire (DynamoDB TTL) this many days after their time. */
  readonly ttlDays: number;
  /** Stamped on each written item as `writtenAt`. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

type Item = Record<string, unknown>;

/** SessionLog on one DynamoDB table (key layout in records.ts). Every failure throws SessionLogError with `cause`. */
export class DynamoDbSessionLog implements SessionLog {
  private readonly db: DynamoDb;
  private readonly tableName: string;
  private readonly account: string;
  private readonly ttlDays: number;
  private readonly now: () => Date;

  constructor(options: DynamoDbSessionLogOptions) {
    if (!isValidAccount(options.account)) {
      throw new ConfigError(`invalid account name for the session log: ${ACCOUNT_NAME_RULE}`);
    }
    if (!(Number.isFinite(options.ttlDays) && options.ttlDays > 0)) {
      throw new ConfigError(`invalid ttlDays for the session log: ${options.ttlDays}`);
    }
    // Undefined values are dropped: optional fields (StopResult.error) are simply absent.
    this.db = options.client;
    this.tableName = options.tableName;
    this.account = options.account;
    this.ttlDays = options.ttlDays;
    this.now = options.now ?? (() => new Date());
  }

  async recordObservation(snapshot: Snapshot): Promise<void> {
    const record = serializeSnapshot(snapshot);
    await this.put(`observation of session ${snapshot.sessionId}`, {
      ...this.base(snapshot.sessionId, observationSk(snapshot.observedAt), 'observation'),
      ...record,
      expiresAt: expiresAt(snapshot.observedAt, this.ttlDays),
    });
  }

  async recordDecision(sessionId: string, at: Date, decision: Decision): Promise<void> {
    const record = serializeDecision(decision);
    await this.put(`decision for session ${sessionId}`, {
      ...this.base(sessionId, decisionSk(at), 'decision'),
      sessionId,
      at: at.toISOString(),
      decision: record,
      expiresAt: expiresAt(at, this.ttlDays),
    });
  }

  async claimStop(claim: StopClaim): Promise<ClaimAnswer> {
    const target = {
      db: this.db,
      tableName: this.tableName,
      pk: this.pk(claim.sessionId),
      writtenAt: this.now(),
    };
    try {
      return await writeStopClaim(target, claim);
    } catch (error) {
      if (error instanceof SessionLogError) throw error;
      throw this.failure(`write stop claim ${claim.attempt} of session ${claim.sessionId}`, error);
    }
  }

  async latestClaim(sessionId: string): Promise<StopClaim | null> {
    const item = await this.get(`stop claim of session ${sessionId}`, sessionId, CLAIM_SK);
    return item ? reviveStopClaim(item, this.origin(sessionId, CLAIM_SK)) : null;
  }

  /** Keeps each attempt's result, and `STOP#RESULT` as the latest (an older attempt never replaces it). */
  async recordStopResult(result: StopResult): Promise<void> {
    const what = `stop result ${result.attempt} of session ${result.sessionId}`;
    const record = serializeStopResult(result);
    const item = (sk: string): Item => ({ ...this.base(result.sessionId, sk, 'result'), ...record });
    await this.put(what, item(resultAttemptSk(result.attempt)));
    try {
      await this.db.put({
        TableName: this.tableName,
        Item: item(RESULT_SK),
        ConditionExpression: 'attribute_not_exists(#pk) OR #attempt <= :attempt',
        ExpressionAttributeNames: { '#pk': 'pk', '#attempt': 'attempt' },
        ExpressionAttributeValues: { ':attempt': result.attempt },
      });
    } catch (error) {
      // A later attempt's result is already the latest: this one is kept under its attempt key.
      if (isConditionalCheckFailed(error)) return;
      throw this.failure(`write ${what}`, error);
    }
  }

  async latestStopResult(sessionId: string): Promise<StopResult | null> {
    const item = await this.get(`stop result of session ${sessionId}`, sessionId, RESULT_SK);
    return item ? reviveStopResult(item, this.origin(sessionId, RESULT_SK)) : null;
  }

  async lastObservation(sessionId: string): Promise<Snapshot | null> {
    const what = `last observation of session ${sessionId}`;
    let items: Item[];
    try {
      const out = await this.db.queryPage({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': this.pk(sessionId), ':prefix': OBSERVATION_PREFIX },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      });
      items = out.Items;
    } catch (error) {
      throw this.failure(`read ${what}`, error);
    }
    const item = items[0];
    return item ? reviveSnapshot(item, this.origin(sessionId, String(item.sk))) : null;
  }

  /** Writes SUMMARY in the session partition and the listing item in the account partition. */
  async putSummary(summary: SessionSummary): Promise<void> {
    const record = serializeSessionSummary(summary);
    const what = `summary of session ${summary.sessionId}`;
    await this.put(what, { ...this.base(summary.sessionId, SUMMARY_SK, 'summary'), ...record });
    await this.put(`listing of session ${summary.sessionId}`, {
      pk: accountPk(this.account),
      sk: listingSk(summary.startedAt, summary.sessionId),
      kind: 'summary' satisfies ItemKind,
      writtenAt: this.now().toISOString(),
      ...record,
    });
  }

  /**
   * Sessions started at or after `since` (all when absent), oldest first; sessions with an
   * unknown start are listed last and filtered on `lastSeenAt`. A session whose start became
   * known later has two listing items; the most recently seen one wins.
   */
  async listSessions(options: { since?: Date | undefined } = {}): Promise<SessionSummary[]> {
    const input = listingQuery(this.tableName, accountPk(this.account), options.since);
    const items = await this.queryAll(`sessions of account ${this.account}`, input);
    return latestPerSession(items, options.since);
  }

  /** Observations, decisions, every claim and every attempt's result, in time order. */
  async timeline(sessionId: string): Promise<TimelineEntry[]> {
    const items = await this.queryAll(`timeline of session ${sessionId}`, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': this.pk(sessionId) },
      ConsistentRead: true,
    });
    return timelineFromItems(items, (sk) => this.origin(sessionId, sk));
  }

  async recordStopLatency(sample: StopLatencySample): Promise<void> {
    await putStopLatency(this.latencyTable(), sample, { at: this.now(), ttlDays: this.ttlDays });
  }

  recentStopLatencies(limit: number): Promise<StopLatencySample[]> {
    return queryStopLatencies(this.latencyTable(), limit);
  }

  private latencyTable() {
    return { db: this.db, tableName: this.tableName, account: this.account };
  }

  private pk(sessionId: string): string {
    return sessionPk(this.account, sessionId);
  }

  private base(sessionId: string, sk: string, kind: ItemKind): Item {
    return { pk: this.pk(sessionId), sk, kind, writtenAt: this.now().toISOString() };
  }

  private origin(sessionId: string, sk: string): string {
    return `item ${this.pk(sessionId)} / ${sk} in table ${this.tableName}`;
  }

  private failure(action: string, error: unknown): SessionLogError {
    return tableFailure(this.tableName, action, error);
  }

  private put(what: string, item: Item): Promise<void> {
    return putItem(this.db, this.tableName, what, item);
  }

  private get(what: string, sessionId: string, sk: string): Promise<Item | null> {
    return getItem(this.db, this.tableName, what, { pk: this.pk(sessionId), sk });
  }

  private queryAll(what: string, input: QueryInput): Promise<Item[]> {
    return queryAllItems(this.db, this.tableName, what, input);
  }
}
