import type { Decision } from './core/decide.ts';
import type { SessionPlace } from './core/idle-reads.ts';
import type { PriceReading, PriceSlot } from './core/prices.ts';
import type { Rules, StopReason } from './core/rules.ts';
import type { Session } from './core/session.ts';
import type { Snapshot } from './core/snapshot.ts';
import type { StopLatencySample } from './core/stop-latency.ts';

/** The operator's driver-app API (AMPECO). */
export interface ChargingApi {
  /** Optional: marks the start of a tick so the adapter can bound the tick's total request time. */
  beginTick?(): void;
  /** Every open session on the account (one per EVSE), in the API's order; empty when none. */
  openSessions(): Promise<Session[]>;
  /** One session by id, or null when the API answers 404. */
  getSession(sessionId: string): Promise<Session | null>;
  /**
   * Sends the stop once (never retried). `accepted`: 2xx; `not-found`: 404 (the caller re-checks).
   * Any other outcome throws.
   */
  endSession(sessionId: string): Promise<EndOutcome>;
}

export type EndOutcome =
  | { readonly kind: 'accepted'; readonly session: Session | null }
  | { readonly kind: 'not-found' };

export interface TokenStore {
  /** `fresh` bypasses any read cache (a token that just got a 401 may have been replaced). */
  get(options?: { readonly fresh?: boolean }): Promise<string | null>;
  put(token: string): Promise<void>;
}

export interface RulesStore {
  /**
   * Validated rules; null when none are stored. Throws ConfigError on invalid rules. `fresh`
   * bypasses any read cache (read-modify-write must not start from a stale copy).
   */
  get(options?: { readonly fresh?: boolean }): Promise<Rules | null>;
  put(rules: Rules): Promise<void>;
}

/** The claim that makes a stop attempt exclusive: at most one process sends attempt N. */
export interface StopClaim {
  readonly sessionId: string;
  /** 1 for the first stop; a re-send after a failed or ignored stop claims attempt + 1. */
  readonly attempt: number;
  readonly claimedAt: Date;
  readonly reason: StopReason;
  readonly detail: string;
  /** Who claimed it (process or invocation id), for the log. */
  readonly by: string;
}

/**
 * `held`: another claim is in the way; `claim` is the stored one (null when attempt N was offered
 * but N - 1 was never claimed).
 */
export type ClaimAnswer =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'held'; readonly claim: StopClaim | null };

export interface StopResult {
  readonly sessionId: string;
  readonly attempt: number;
  readonly at: Date;
  /** accepted: the API took the stop; already-ended: 404 and the session is gone; failed: see error. */
  readonly outcome: 'accepted' | 'already-ended' | 'failed';
  readonly reason: StopReason;
  readonly detail: string;
  readonly energyKwh: number | null;
  readonly error?: string | undefined;
  /** The energy estimated where `/end` landed (kWh); absent when the stop rested on the raw reading. */
  readonly estimatedKwh?: number | undefined;
  /** The power that estimate extrapolated (kW). */
  readonly powerKw?: number | undefined;
  /** The learned stop latency this stop aimed earlier by (ms). */
  readonly stopLatencyMs?: number | undefined;
}

export interface SessionSummary {
  readonly sessionId: string;
  readonly startedAt: Date | null;
  readonly lastSeenAt: Date;
  readonly endedAt: Date | null;
  readonly status: string;
  readonly energyKwh: number;
  readonly cost: number | null;
  readonly currency: string | null;
  readonly stopReason: StopReason | null;
  readonly stopDetail: string | null;
}

export type TimelineEntry =
  | { readonly kind: 'observation'; readonly at: Date; readonly snapshot: Snapshot }
  | { readonly kind: 'decision'; readonly at: Date; readonly decision: Decision }
  | { readonly kind: 'claim'; readonly at: Date; readonly claim: StopClaim }
  | { readonly kind: 'result'; readonly at: Date; readonly result: StopResult };

/** Durable record of what stopwatt saw, decided and did, per account. */
export interface SessionLog {
  recordObservation(snapshot: Snapshot): Promise<void>;
  recordDecision(sessionId: string, at: Date, decision: Decision): Promise<void>;
  /**
   * Atomically claims `claim.attempt` for the session: attempt 1 when the session has no claim,
   * attempt N only when the latest claim is N - 1. Exactly one caller per (session, attempt) gets
   * `claimed`; offering the very claim that is stored (a retry after a lost answer) is `claimed`
   * too. Throws when the claim cannot be written.
   */
  claimStop(claim: StopClaim): Promise<ClaimAnswer>;
  /** The latest claim for the session, or null. */
  latestClaim(sessionId: string): Promise<StopClaim | null>;
  recordStopResult(result: StopResult): Promise<void>;
  /** The result of the latest attempt, or null. */
  latestStopResult(sessionId: string): Promise<StopResult | null>;
  lastObservation(sessionId: string): Promise<Snapshot | null>;
  putSummary(summary: SessionSummary): Promise<void>;
  listSessions(options?: { since?: Date | undefined }): Promise<SessionSummary[]>;
  timeline(sessionId: string): Promise<TimelineEntry[]>;
  /**
   * Keeps what a finished session taught about the account's stop latency; the same sample
   * recorded again (two ticks saw the session finish) is kept once.
   */
  recordStopLatency(sample: StopLatencySample): Promise<void>;
  /** The account's latest stop latency samples, newest first, at most `limit`. */
  recentStopLatencies(limit: number): Promise<StopLatencySample[]>;
}

/** Consumer prices for the `spot` price source. */
export interface PriceSource {
  /** The price in force at `at`, or null when the slot is missing. Throws PriceUnavailableError. */
  current(at: Date): Promise<PriceReading | null>;
  /** Known slots from `from` on (may be empty). */
  forecast(from: Date): Promise<PriceSlot[]>;
}

/** Raw day-ahead prices as fetched, cached per price area and Copenhagen calendar date. */
export interface CachedPriceDay {
  readonly area: string;
  /** YYYY-MM-DD (Europe/Copenhagen). */
  readonly date: string;
  readonly fetchedAt: Date;
  /** Spot slots, DKK per MWh, UTC bounds. */
  readonly slots: readonly { readonly start: Date; readonly end: Date; readonly spotDkkPerMwh: number }[];
  /** True when the day has every slot (92, 96 or 100 quarter-hours). */
  readonly complete: boolean;
  /** Set when the attempt at `fetchedAt` failed; `reachedFeed` false: no answer at all (network). */
  readonly failure?: { readonly message: string; readonly reachedFeed: boolean };
}

export interface PriceCache {
  get(area: string, date: string): Promise<CachedPriceDay | null>;
  put(day: CachedPriceDay): Promise<void>;
}

export type NotificationKind =
  | 'session-ended'
  | 'stop-failed'
  | 'auth-failed'
  | 'token-expiring'
  | 'price-feed-unavailable'
  | 'rules-invalid';

export interface NotificationEvent {
  readonly kind: NotificationKind;
  /** Deduplication key: the same key is sent once. */
  readonly key: string;
  readonly subject: string;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Notifier {
  send(event: NotificationEvent): Promise<void>;
}

/** Remembers since when an ongoing problem has been seen, so it is reported only once it lasts. */
export interface ConditionLog {
  /** When `condition` was first seen in its current episode; records `now` when it is new. */
  since(condition: string, now: Date): Promise<Date>;
  /** Ends the episode: the problem went away. */
  clear(condition: string): Promise<void>;
}

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The read cadence's state at the last read (see `ReadCadence`). */
export interface CadenceState extends SessionPlace {
  /** Every tick reads everywhere: a session was open at the last read, or that read failed. */
  readonly open: boolean;
}

/** When the API is read while no session is open (the adaptive cadence), and where it looks. */
export interface ReadCadence {
  /**
   * The state at the last read when this tick may read: a session was open then, or the idle
   * read is due (at least `idleIntervalMs` since the last one). Claiming the idle read is atomic
   * across concurrent ticks. Null when this tick does not read.
   */
  claim(now: Date, idleIntervalMs: number): Promise<CadenceState | null>;
  /** After a read: what it found (every tick reads while a session is open). */
  record(state: CadenceState): Promise<void>;
  /** A claimed read failed: the next tick reads again, everywhere. */
  release(): Promise<void>;
}
