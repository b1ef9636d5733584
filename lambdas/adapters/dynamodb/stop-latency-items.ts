import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StopLatencySample } from '../../core/stop-latency.ts';
import { reviveStopLatency, serializeStopLatency } from '../serialization.ts';
import { expiresAt, type ItemKind, stopLatencyPk, stopLatencySk } from './records.ts';
import { putItem, tableFailure } from './table-access.ts';

export interface StopLatencyTable {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly account: string;
  readonly ttlDays: number;
  readonly writtenAt: Date;
}

/** One item per sample under `LATENCY#<account>`; the same sample written again overwrites itself. */
export async function putStopLatency(table: StopLatencyTable, sample: StopLatencySample): Promise<void> {
  await putItem(table.doc, table.tableName, `stop latency of session ${sample.sessionId}`, {
    pk: stopLatencyPk(table.account),
    sk: stopLatencySk(sample.at, sample.sessionId),
    kind: 'stop-latency' satisfies ItemKind,
    writtenAt: table.writtenAt.toISOString(),
    ...serializeStopLatency(sample),
    expiresAt: expiresAt(sample.at, table.ttlDays),
  });
}

/** The latest `limit` samples, newest first (the sort key starts with the finish time). */
export async function queryStopLatencies(
  table: Omit<StopLatencyTable, 'writtenAt' | 'ttlDays'>,
  limit: number,
): Promise<StopLatencySample[]> {
  const pk = stopLatencyPk(table.account);
  let items: Record<string, unknown>[];
  try {
    const out = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    items = out.Items ?? [];
  } catch (error) {
    throw tableFailure(table.tableName, `read stop latencies of account ${table.account}`, error);
  }
  return items.map((item) =>
    reviveStopLatency(item, `item ${pk} / ${String(item.sk)} in table ${table.tableName}`),
  );
}
