import type { StopLatencySample } from '../../core/stop-latency.ts';
import type { DynamoDb } from '../aws/dynamodb.ts';
import { reviveStopLatency, serializeStopLatency } from '../serialization.ts';
import { expiresAt, type ItemKind, stopLatencyPk, stopLatencySk } from './records.ts';
import { putItem, tableFailure } from './table-access.ts';

export interface StopLatencyTable {
  readonly db: DynamoDb;
  readonly tableName: string;
  readonly account: string;
}

/** One item per sample under `LATENCY#<account>`; the same sample written again overwrites itself. */
export async function putStopLatency(
  table: StopLatencyTable,
  sample: StopLatencySample,
  written: { readonly at: Date; readonly ttlDays: number },
): Promise<void> {
  await putItem(table.db, table.tableName, `stop latency of session ${sample.sessionId}`, {
    pk: stopLatencyPk(table.account),
    sk: stopLatencySk(sample.at, sample.sessionId),
    kind: 'stop-latency' satisfies ItemKind,
    writtenAt: written.at.toISOString(),
    ...serializeStopLatency(sample),
    expiresAt: expiresAt(sample.at, written.ttlDays),
  });
}

/** The latest `limit` samples, newest first (the sort key starts with the finish time). */
export async function queryStopLatencies(
  table: StopLatencyTable,
  limit: number,
): Promise<StopLatencySample[]> {
  const pk = stopLatencyPk(table.account);
  let items: Record<string, unknown>[];
  try {
    const out = await table.db.queryPage({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    });
    items = out.Items;
  } catch (error) {
    throw tableFailure(table.tableName, `read stop latencies of account ${table.account}`, error);
  }
  return items.map((item) =>
    reviveStopLatency(item, `item ${pk} / ${String(item.sk)} in table ${table.tableName}`),
  );
}
