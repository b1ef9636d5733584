import {
  serializeDecision,
  serializeSessionSummary,
  serializeSnapshot,
  serializeStopClaim,
  serializeStopResult,
} from '../lambdas/adapters/serialization.ts';
import type { DynamoOps, WrittenItem } from './in-memory-session-log.ts';

type Kind = keyof DynamoOps['byKind'];

/**
 * Approximate DynamoDB item size (bytes) per AWS's rules: attribute name lengths plus values
 * (strings as UTF-8, numbers ~1 byte per 2 significant digits + 1, 3 bytes + 1 per element for
 * maps and lists).
 */
export function dynamoBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + dynamoBytes(v), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      size += 1 + Buffer.byteLength(k, 'utf8') + dynamoBytes(v);
    }
    return size;
  }
  return 0;
}

/** Keys and bookkeeping attributes the DynamoDB adapter adds to every item (pk, sk, kind, writtenAt, expiresAt). */
function withKeys(
  kind: Kind,
  sk: string,
  record: object,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    pk: 'SESSION#default#1234567',
    sk,
    kind,
    writtenAt: '2025-06-02T16:00:00.000Z',
    ...extra,
    ...record,
  };
}

/**
 * Sizes the item the DynamoDB adapter would write for one in-memory log write, using the real
 * serializers (lambdas/adapters/serialization.ts) and the adapter's key layout.
 */
export function itemBytes(item: WrittenItem): number {
  const at = '2025-06-02T16:00:00.000Z';
  const expiresAt = 1_756_000_000;
  switch (item.kind) {
    case 'observation':
      return dynamoBytes(
        withKeys('observation', `OBS#${at}`, serializeSnapshot(item.snapshot), { expiresAt }),
      );
    case 'decision':
      return dynamoBytes(
        withKeys('decision', `DECISION#${at}`, {
          sessionId: item.sessionId,
          at,
          decision: serializeDecision(item.decision),
          expiresAt,
        }),
      );
    case 'claim': {
      const record = serializeStopClaim(item.claim);
      return dynamoBytes(withKeys('claim', 'STOP#CLAIM', record, { claims: [record] }));
    }
    case 'result':
      return dynamoBytes(withKeys('result', 'STOP#RESULT', serializeStopResult(item.result)));
    case 'summary':
      return dynamoBytes(withKeys('summary', 'SUMMARY', serializeSessionSummary(item.summary)));
  }
}

export interface ItemSizeStats {
  readonly count: number;
  readonly meanBytes: number;
  readonly maxBytes: number;
}

/** Collects item sizes per kind while a simulation runs (pass `onItem` to the log). */
export function sizeCollector(): {
  onItem: (item: WrittenItem) => void;
  averages: () => Record<Kind, ItemSizeStats>;
} {
  const sums = new Map<Kind, { count: number; total: number; max: number }>();
  const stat = (kind: Kind): ItemSizeStats => {
    const s = sums.get(kind) ?? { count: 0, total: 0, max: 0 };
    return { count: s.count, meanBytes: s.count ? Math.round(s.total / s.count) : 0, maxBytes: s.max };
  };
  return {
    onItem(item) {
      const bytes = itemBytes(item);
      const s = sums.get(item.kind) ?? { count: 0, total: 0, max: 0 };
      sums.set(item.kind, { count: s.count + 1, total: s.total + bytes, max: Math.max(s.max, bytes) });
    },
    averages: () => ({
      observation: stat('observation'),
      decision: stat('decision'),
      claim: stat('claim'),
      result: stat('result'),
      summary: stat('summary'),
    }),
  };
}
