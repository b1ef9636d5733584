import { SessionLogError } from '../../errors.ts';
import type { TimelineEntry } from '../../ports.ts';
import {
  reviveDecision,
  reviveSnapshot,
  reviveStopClaim,
  reviveStopResult,
  serializeDecision,
  serializeSnapshot,
  serializeStopClaim,
  serializeStopResult,
} from '../serialization.ts';

/** One `events.jsonl` line of the local store: `{ kind, at, value }`. */
export function timelineRecord(entry: TimelineEntry): Record<string, unknown> {
  const at = entry.at.toISOString();
  switch (entry.kind) {
    case 'observation':
      return { kind: entry.kind, at, value: serializeSnapshot(entry.snapshot) };
    case 'decision':
      return { kind: entry.kind, at, value: serializeDecision(entry.decision) };
    case 'claim':
      return { kind: entry.kind, at, value: serializeStopClaim(entry.claim) };
    case 'result':
      return { kind: entry.kind, at, value: serializeStopResult(entry.result) };
  }
}

export function parseTimelineLine(line: string): TimelineEntry {
  const record = JSON.parse(line) as { kind?: unknown; at?: unknown; value?: unknown };
  const at = new Date(typeof record.at === 'string' ? record.at : Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new SessionLogError(`local store: timeline line without a valid time`);
  switch (record.kind) {
    case 'observation':
      return { kind: 'observation', at, snapshot: reviveSnapshot(record.value) };
    case 'decision':
      return { kind: 'decision', at, decision: reviveDecision(record.value) };
    case 'claim':
      return { kind: 'claim', at, claim: reviveStopClaim(record.value) };
    case 'result':
      return { kind: 'result', at, result: reviveStopResult(record.value) };
    default:
      throw new SessionLogError(`local store: unknown timeline entry kind ${String(record.kind)}`);
  }
}
