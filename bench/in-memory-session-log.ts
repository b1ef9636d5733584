import { answerAgainst } from '../lambdas/adapters/claims.ts';
import { byTimelineOrder } from '../lambdas/adapters/timeline-order.ts';
import type { Decision } from '../lambdas/core/decide.ts';
import type { Snapshot } from '../lambdas/core/snapshot.ts';
import type { StopLatencySample } from '../lambdas/core/stop-latency.ts';
import type {
  ClaimAnswer,
  SessionLog,
  SessionSummary,
  StopClaim,
  StopResult,
  TimelineEntry,
} from '../lambdas/ports.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** DynamoDB requests the real adapter (lambdas/adapters/dynamodb/session-log.ts) makes per method. */
export interface DynamoOps {
  /** PutItem / UpdateItem requests. */
  writes: number;
  /** GetItem / Query requests (all strongly consistent, one small item each). */
  reads: number;
  /** Writes by item kind, to price them with measured item sizes. */
  byKind: Record<'observation' | 'decision' | 'claim' | 'result' | 'summary', number>;
}

/** What one DynamoDB write would carry, for measuring item sizes. */
export type WrittenItem =
  | { readonly kind: 'observation'; readonly snapshot: Snapshot }
  | { readonly kind: 'decision'; readonly sessionId: string; readonly at: Date; readonly decision: Decision }
  | { readonly kind: 'claim'; readonly claim: StopClaim }
  | { readonly kind: 'result'; readonly result: StopResult }
  | { readonly kind: 'summary'; readonly summary: SessionSummary };

export interface InMemorySessionLogOptions {
  /** Virtual time each DynamoDB request takes. @default 0 */
  readonly opLatencyMs?: number | undefined;
  /** Called with each write's content, when item sizes are being measured. */
  readonly onItem?: ((item: WrittenItem) => void) | undefined;
}

interface SessionData {
  last: Snapshot | null;
  claims: StopClaim[];
  results: Map<number, StopResult>;
  latest: StopResult | null;
  summary: SessionSummary | null;
  timeline: TimelineEntry[];
}

/**
 * Bench-only SessionLog in memory, with the DynamoDB adapter's semantics (conditional claim:
 * attempt 1 only when unclaimed, attempt n only after n - 1, a repeated claim recognised) and its request counts.
 */
export class InMemorySessionLog implements SessionLog {
  readonly ops: DynamoOps = {
    writes: 0,
    reads: 0,
    byKind: { observation: 0, decision: 0, claim: 0, result: 0, summary: 0 },
  };
  readonly #clock: VirtualClock;
  readonly #options: InMemorySessionLogOptions;
  readonly #sessions = new Map<string, SessionData>();
  /** Newest first, like the adapters' query. */
  #latencies: StopLatencySample[] = [];

  constructor(clock: VirtualClock, options: InMemorySessionLogOptions = {}) {
    this.#clock = clock;
    this.#options = options;
  }

  async recordObservation(snapshot: Snapshot): Promise<void> {
    await this.#write({ kind: 'observation', snapshot });
    const data = this.#data(snapshot.sessionId);
    data.last = snapshot;
    data.timeline.push({ kind: 'observation', at: snapshot.observedAt, snapshot });
  }

  async recordDecision(sessionId: string, at: Date, decision: Decision): Promise<void> {
    await this.#write({ kind: 'decision', sessionId, at, decision });
    this.#data(sessionId).timeline.push({ kind: 'decision', at, decision });
  }

  async claimStop(claim: StopClaim): Promise<ClaimAnswer> {
    // One conditional UpdateItem: the check and the write happen at one instant.
    await this.#write({ kind: 'claim', claim });
    const data = this.#data(claim.sessionId);
    const latest = data.claims[data.claims.length - 1] ?? null;
    if ((latest?.attempt ?? 0) !== claim.attempt - 1) return answerAgainst(latest, claim);
    data.claims.push(claim);
    data.timeline.push({ kind: 'claim', at: claim.claimedAt, claim });
    return { kind: 'claimed' };
  }

  async latestClaim(sessionId: string): Promise<StopClaim | null> {
    await this.#read();
    const claims = this.#sessions.get(sessionId)?.claims ?? [];
    return claims[claims.length - 1] ?? null;
  }

  async recordStopResult(result: StopResult): Promise<void> {
    // The adapter writes the attempt's item and the conditional STOP#RESULT item.
    await this.#write({ kind: 'result', result });
    await this.#write({ kind: 'result', result });
    const data = this.#data(result.sessionId);
    data.results.set(result.attempt, result);
    if (!data.latest || data.latest.attempt <= result.attempt) data.latest = result;
    data.timeline.push({ kind: 'result', at: result.at, result });
  }

  async latestStopResult(sessionId: string): Promise<StopResult | null> {
    await this.#read();
    return this.#sessions.get(sessionId)?.latest ?? null;
  }

  async lastObservation(sessionId: string): Promise<Snapshot | null> {
    await this.#read();
    return this.#sessions.get(sessionId)?.last ?? null;
  }

  async putSummary(summary: SessionSummary): Promise<void> {
    // SUMMARY in the session partition plus the listing item in the account partition.
    await this.#write({ kind: 'summary', summary });
    await this.#write({ kind: 'summary', summary });
    this.#data(summary.sessionId).summary = summary;
  }

  async listSessions(options: { since?: Date | undefined } = {}): Promise<SessionSummary[]> {
    await this.#read();
    const since = options.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    return [...this.#sessions.values()]
      .map((d) => d.summary)
      .filter((s): s is SessionSummary => s !== null && (s.startedAt ?? s.lastSeenAt).getTime() >= since)
      .sort((a, b) => (a.startedAt ?? a.lastSeenAt).getTime() - (b.startedAt ?? b.lastSeenAt).getTime());
  }

  async timeline(sessionId: string): Promise<TimelineEntry[]> {
    await this.#read();
    const entries = this.#sessions.get(sessionId)?.timeline ?? [];
    return [...entries].sort(byTimelineOrder);
  }

  async recordStopLatency(sample: StopLatencySample): Promise<void> {
    // One small PutItem in the account's latency partition.
    this.ops.writes++;
    await this.#clock.sleep(this.#options.opLatencyMs ?? 0);
    const same = (s: StopLatencySample) =>
      s.sessionId === sample.sessionId && s.at.getTime() === sample.at.getTime();
    this.#latencies = [sample, ...this.#latencies.filter((s) => !same(s))].sort(
      (a, b) => b.at.getTime() - a.at.getTime(),
    );
  }

  async recentStopLatencies(limit: number): Promise<StopLatencySample[]> {
    await this.#read();
    return this.#latencies.slice(0, limit);
  }

  #data(sessionId: string): SessionData {
    let data = this.#sessions.get(sessionId);
    if (!data) {
      data = { last: null, claims: [], results: new Map(), latest: null, summary: null, timeline: [] };
      this.#sessions.set(sessionId, data);
    }
    return data;
  }

  async #write(item: WrittenItem): Promise<void> {
    this.ops.writes++;
    this.ops.byKind[item.kind]++;
    this.#options.onItem?.(item);
    await this.#clock.sleep(this.#options.opLatencyMs ?? 0);
  }

  async #read(): Promise<void> {
    this.ops.reads++;
    await this.#clock.sleep(this.#options.opLatencyMs ?? 0);
  }
}
