import * as z from 'zod/mini';
import { SessionLogError } from '../../errors.ts';
import type { StopResult, TimelineEntry } from '../../ports.ts';
import {
  IsoDate,
  reviveDecision,
  reviveSnapshot,
  reviveStopClaim,
  reviveStopResult,
} from '../serialization.ts';
import { byTimelineOrder } from '../timeline-order.ts';
import {
  CLAIM_SK,
  DECISION_PREFIX,
  OBSERVATION_PREFIX,
  RESULT_ATTEMPT_PREFIX,
  RESULT_SK,
} from './records.ts';

/** A session partition's items as its timeline: every claim and one result per attempt. */
export function timelineFromItems(
  items: readonly Record<string, unknown>[],
  originOf: (sk: string) => string,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const results = new Map<number, StopResult>();
  let latestResult: StopResult | null = null;
  for (const item of items) {
    const sk = String(item.sk);
    const origin = originOf(sk);
    if (sk.startsWith(OBSERVATION_PREFIX)) {
      const snapshot = reviveSnapshot(item, origin);
      entries.push({ kind: 'observation', at: snapshot.observedAt, snapshot });
    } else if (sk.startsWith(DECISION_PREFIX)) {
      const at = reviveAt(item.at, origin);
      entries.push({ kind: 'decision', at, decision: reviveDecision(item.decision, origin) });
    } else if (sk === CLAIM_SK) {
      const claims = Array.isArray(item.claims) ? item.claims : [item];
      for (const raw of claims) {
        const claim = reviveStopClaim(raw, origin);
        entries.push({ kind: 'claim', at: claim.claimedAt, claim });
      }
    } else if (sk.startsWith(RESULT_ATTEMPT_PREFIX)) {
      const result = reviveStopResult(item, origin);
      results.set(result.attempt, result);
    } else if (sk === RESULT_SK) {
      latestResult = reviveStopResult(item, origin);
    }
  }
  // STOP#RESULT duplicates its attempt's item; it only adds an entry if that item is missing.
  if (latestResult && !results.has(latestResult.attempt)) results.set(latestResult.attempt, latestResult);
  for (const result of results.values()) entries.push({ kind: 'result', at: result.at, result });
  return entries.sort(byTimelineOrder);
}

function reviveAt(value: unknown, origin: string): Date {
  const result = z.safeDecode(IsoDate, typeof value === 'string' ? value : '');
  if (!result.success) throw new SessionLogError(`invalid stored ${origin}: at is not an ISO date`);
  return result.data;
}
