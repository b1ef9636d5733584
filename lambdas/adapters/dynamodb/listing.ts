import type { SessionSummary } from '../../ports.ts';
import type { QueryInput } from '../aws/dynamodb.ts';
import { reviveSessionSummary } from '../serialization.ts';
import { LISTING_PREFIX } from './records.ts';

/** The account partition's listing items started at or after `since` (all when absent). */
export function listingQuery(tableName: string, pk: string, since: Date | undefined): QueryInput {
  return since
    ? {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': `${LISTING_PREFIX}${since.toISOString()}` },
      }
    : {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': LISTING_PREFIX },
      };
}

/**
 * One summary per session, in listing order. Sessions with an unknown start sort last and are
 * filtered on `lastSeenAt`; a session whose start became known later has two listing items, and
 * the most recently seen one wins.
 */
export function latestPerSession(
  items: readonly Record<string, unknown>[],
  since: Date | undefined,
): SessionSummary[] {
  const bySession = new Map<string, SessionSummary>();
  for (const item of items) {
    const summary = reviveSessionSummary(item, `listing item ${String(item.sk)}`);
    if (since && summary.startedAt === null && summary.lastSeenAt.getTime() < since.getTime()) continue;
    const seen = bySession.get(summary.sessionId);
    if (!seen || summary.lastSeenAt.getTime() >= seen.lastSeenAt.getTime()) {
      // Re-insert so the entry takes the position of its newest listing item.
      bySession.delete(summary.sessionId);
      bySession.set(summary.sessionId, summary);
    }
  }
  return [...bySession.values()];
}
