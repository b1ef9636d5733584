/**
 * Storage form of the session log and price cache records, shared by every store (DynamoDB,
 * local files). Each codec maps a JSON-safe record (dates as ISO-8601 strings) to the domain
 * type and back: `serializeX` for writing, `reviveX` for reading, which validates what was read
 * so a damaged record fails loudly instead of flowing into `decide()`.
 */
import * as z from 'zod/mini';
import { formatZodError } from '../config.ts';
import type { Decision } from '../core/decide.ts';
import { STOP_REASONS, type StopReason } from '../core/rules.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { StopLatencySample } from '../core/stop-latency.ts';
import { PriceUnavailableError, SessionLogError, type StopwattError } from '../errors.ts';
import type { CachedPriceDay, SessionSummary, StopClaim, StopResult } from '../ports.ts';

/** A `Date` in the domain, an ISO-8601 string in storage. Invalid dates fail on both sides. */
export const IsoDate = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

const StopReasonSchema = z.enum(STOP_REASONS);
const text = z.string();
const positiveInt = z.int().check(z.positive());
const strings = z.readonly(z.array(text));

// z.number() rejects NaN and Infinity, which DynamoDB and JSON cannot hold either.
export const SnapshotCodec = z.object({
  sessionId: text,
  status: text,
  chargingState: z.nullable(text),
  observedAt: IsoDate,
  startedAt: z.nullable(IsoDate),
  sampledAt: z.optional(IsoDate),
  sampleDoubt: z.optional(text),
  doubts: z.optional(strings),
  meterIntervalMs: z.optional(z.number()),
  energyKwh: z.number(),
  powerKw: z.nullable(z.number()),
  cost: z.nullable(z.number()),
  currency: z.nullable(text),
  sessionPricePerKwh: z.nullable(z.number()),
});

export const DecisionCodec = z.discriminatedUnion('action', [
  z.object({ action: z.literal('none') }),
  z.object({ action: z.literal('already-stopping'), sessionId: text, status: text }),
  z.object({
    action: z.literal('continue'),
    sessionId: text,
    notes: strings,
    wake: z.nullable(z.object({ at: IsoDate, reason: StopReasonSchema })),
  }),
  z.object({
    action: z.literal('end'),
    sessionId: text,
    reason: StopReasonSchema,
    detail: text,
    dryRun: z.optional(z.literal(true)),
  }),
]);

export const StopClaimCodec = z.object({
  sessionId: text,
  attempt: positiveInt,
  claimedAt: IsoDate,
  reason: StopReasonSchema,
  detail: text,
  by: text,
});

export const StopResultCodec = z.object({
  sessionId: text,
  attempt: positiveInt,
  at: IsoDate,
  outcome: z.enum(['accepted', 'already-ended', 'failed']),
  reason: StopReasonSchema,
  detail: text,
  energyKwh: z.nullable(z.number()),
  error: z.optional(text),
  estimatedKwh: z.optional(z.number()),
  powerKw: z.optional(z.number()),
  stopLatencyMs: z.optional(z.number()),
});

export const StopLatencySampleCodec = z.object({
  sessionId: text,
  at: IsoDate,
  estimatedKwh: z.number(),
  finalKwh: z.number(),
  powerKw: z.number(),
});

export const SessionSummaryCodec = z.object({
  sessionId: text,
  startedAt: z.nullable(IsoDate),
  lastSeenAt: IsoDate,
  endedAt: z.nullable(IsoDate),
  status: text,
  energyKwh: z.number(),
  cost: z.nullable(z.number()),
  currency: z.nullable(text),
  stopReason: z.nullable(StopReasonSchema),
  stopDetail: z.nullable(text),
});

export const CachedPriceDayCodec = z.object({
  area: z.string().check(z.minLength(1)),
  date: z.iso.date(),
  fetchedAt: IsoDate,
  slots: z.readonly(z.array(z.object({ start: IsoDate, end: IsoDate, spotDkkPerMwh: z.number() }))),
  complete: z.boolean(),
  failure: z.optional(z.object({ message: text, reachedFeed: z.boolean() })),
});

export type SnapshotRecord = z.input<typeof SnapshotCodec>;
export type DecisionRecord = z.input<typeof DecisionCodec>;
export type StopClaimRecord = z.input<typeof StopClaimCodec>;
export type StopResultRecord = z.input<typeof StopResultCodec>;
export type SessionSummaryRecord = z.input<typeof SessionSummaryCodec>;
export type StopLatencySampleRecord = z.input<typeof StopLatencySampleCodec>;
export type CachedPriceDayRecord = z.input<typeof CachedPriceDayCodec>;

// Compile-time checks that each codec's domain side is exactly the port type, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameTypes: [
  Same<z.output<typeof SnapshotCodec>, Snapshot>,
  Same<z.output<typeof DecisionCodec>, Decision>,
  Same<z.output<typeof StopClaimCodec>, StopClaim>,
  Same<z.output<typeof StopResultCodec>, StopResult>,
  Same<z.output<typeof SessionSummaryCodec>, SessionSummary>,
  Same<z.output<typeof StopLatencySampleCodec>, StopLatencySample>,
  Same<z.output<typeof CachedPriceDayCodec>, CachedPriceDay>,
  Same<z.output<typeof StopReasonSchema>, StopReason>,
] = [true, true, true, true, true, true, true, true];
void _sameTypes;

type ErrorClass = new (message: string, options?: ErrorOptions) => StopwattError;

function encodeWith<S extends z.ZodMiniType>(
  codec: S,
  value: z.output<S>,
  what: string,
  ErrorType: ErrorClass,
): z.input<S> {
  const result = z.safeEncode(codec, value);
  if (!result.success) {
    throw new ErrorType(`cannot store ${what}: ${formatZodError(result.error)}`, { cause: result.error });
  }
  return result.data;
}

function decodeWith<S extends z.ZodMiniType>(
  codec: S,
  value: unknown,
  what: string,
  ErrorType: ErrorClass,
): z.output<S> {
  // safeDecode is typed to take the record type; the point here is to check an unknown value.
  const result = z.safeDecode(codec, value as z.input<S>);
  if (!result.success) {
    throw new ErrorType(`invalid stored ${what}: ${formatZodError(result.error)}`, { cause: result.error });
  }
  return result.data;
}

/** Throws SessionLogError when the snapshot cannot be stored (invalid date, NaN). */
export function serializeSnapshot(snapshot: Snapshot): SnapshotRecord {
  return encodeWith(SnapshotCodec, snapshot, `snapshot of session ${snapshot.sessionId}`, SessionLogError);
}

/** Throws SessionLogError naming `origin` when `value` is not a valid snapshot record. */
export function reviveSnapshot(value: unknown, origin = 'snapshot'): Snapshot {
  return decodeWith(SnapshotCodec, value, origin, SessionLogError);
}

export function serializeDecision(decision: Decision): DecisionRecord {
  return encodeWith(DecisionCodec, decision, `decision (${decision.action})`, SessionLogError);
}

export function reviveDecision(value: unknown, origin = 'decision'): Decision {
  return decodeWith(DecisionCodec, value, origin, SessionLogError);
}

export function serializeStopClaim(claim: StopClaim): StopClaimRecord {
  return encodeWith(
    StopClaimCodec,
    claim,
    `stop claim ${claim.attempt} of session ${claim.sessionId}`,
    SessionLogError,
  );
}

export function reviveStopClaim(value: unknown, origin = 'stop claim'): StopClaim {
  return decodeWith(StopClaimCodec, value, origin, SessionLogError);
}

export function serializeStopResult(result: StopResult): StopResultRecord {
  return encodeWith(
    StopResultCodec,
    result,
    `stop result ${result.attempt} of session ${result.sessionId}`,
    SessionLogError,
  );
}

export function reviveStopResult(value: unknown, origin = 'stop result'): StopResult {
  return decodeWith(StopResultCodec, value, origin, SessionLogError);
}

export function serializeSessionSummary(summary: SessionSummary): SessionSummaryRecord {
  return encodeWith(SessionSummaryCodec, summary, `summary of session ${summary.sessionId}`, SessionLogError);
}

export function reviveSessionSummary(value: unknown, origin = 'session summary'): SessionSummary {
  return decodeWith(SessionSummaryCodec, value, origin, SessionLogError);
}

export function serializeStopLatency(sample: StopLatencySample): StopLatencySampleRecord {
  return encodeWith(
    StopLatencySampleCodec,
    sample,
    `stop latency of session ${sample.sessionId}`,
    SessionLogError,
  );
}

export function reviveStopLatency(value: unknown, origin = 'stop latency sample'): StopLatencySample {
  return decodeWith(StopLatencySampleCodec, value, origin, SessionLogError);
}

/** Throws PriceUnavailableError: cached prices that cannot be stored or read are not usable prices. */
export function serializeCachedPriceDay(day: CachedPriceDay): CachedPriceDayRecord {
  return encodeWith(CachedPriceDayCodec, day, `prices for ${day.area} on ${day.date}`, PriceUnavailableError);
}

export function reviveCachedPriceDay(value: unknown, origin = 'cached price day'): CachedPriceDay {
  return decodeWith(CachedPriceDayCodec, value, origin, PriceUnavailableError);
}
