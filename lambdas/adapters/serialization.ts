/**
 * Storage form of the session log and price cache records, shared by every store (DynamoDB,
 * local files). Each codec maps a JSON-safe record (dates as ISO-8601 strings) to the domain
 * type and back: `serializeX` for writing, `reviveX` for reading, which validates what was read
 * so a damaged record fails loudly instead of flowing into `decide()`.
 */
import { z } from 'zod';
import { formatZodError } from '../config.ts';
import type { Decision } from '../core/decide.ts';
import { STOP_REASONS, type StopReason } from '../core/rules.ts';
import type { Snapshot } from '../core/snapshot.ts';
import { PriceUnavailableError, SessionLogError, type StopwattError } from '../errors.ts';
import type { CachedPriceDay, SessionSummary, StopClaim, StopResult } from '../ports.ts';

/** A `Date` in the domain, an ISO-8601 string in storage. Invalid dates fail on both sides. */
export const IsoDate = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

const StopReasonSchema = z.enum(STOP_REASONS);

// z.number() rejects NaN and Infinity, which DynamoDB and JSON cannot hold either.
export const SnapshotCodec = z.object({
  sessionId: z.string(),
  status: z.string(),
  chargingState: z.string().nullable(),
  observedAt: IsoDate,
  startedAt: IsoDate.nullable(),
  sampledAt: IsoDate.optional(),
  sampleDoubt: z.string().optional(),
  doubts: z.array(z.string()).readonly().optional(),
  meterIntervalMs: z.number().optional(),
  energyKwh: z.number(),
  powerKw: z.number().nullable(),
  cost: z.number().nullable(),
  currency: z.string().nullable(),
  sessionPricePerKwh: z.number().nullable(),
});

export const DecisionCodec = z.discriminatedUnion('action', [
  z.object({ action: z.literal('none') }),
  z.object({ action: z.literal('already-stopping'), sessionId: z.string(), status: z.string() }),
  z.object({
    action: z.literal('continue'),
    sessionId: z.string(),
    notes: z.array(z.string()).readonly(),
    wake: z.object({ at: IsoDate, reason: StopReasonSchema }).nullable(),
  }),
  z.object({
    action: z.literal('end'),
    sessionId: z.string(),
    reason: StopReasonSchema,
    detail: z.string(),
    dryRun: z.literal(true).optional(),
  }),
]);

export const StopClaimCodec = z.object({
  sessionId: z.string(),
  attempt: z.int().positive(),
  claimedAt: IsoDate,
  reason: StopReasonSchema,
  detail: z.string(),
  by: z.string(),
});

export const StopResultCodec = z.object({
  sessionId: z.string(),
  attempt: z.int().positive(),
  at: IsoDate,
  outcome: z.enum(['accepted', 'already-ended', 'failed']),
  reason: StopReasonSchema,
  detail: z.string(),
  energyKwh: z.number().nullable(),
  error: z.string().optional(),
});

export const SessionSummaryCodec = z.object({
  sessionId: z.string(),
  startedAt: IsoDate.nullable(),
  lastSeenAt: IsoDate,
  endedAt: IsoDate.nullable(),
  status: z.string(),
  energyKwh: z.number(),
  cost: z.number().nullable(),
  currency: z.string().nullable(),
  stopReason: StopReasonSchema.nullable(),
  stopDetail: z.string().nullable(),
});

export const CachedPriceDayCodec = z.object({
  area: z.string().min(1),
  date: z.iso.date(),
  fetchedAt: IsoDate,
  slots: z.array(z.object({ start: IsoDate, end: IsoDate, spotDkkPerMwh: z.number() })).readonly(),
  complete: z.boolean(),
  failure: z.object({ message: z.string(), reachedFeed: z.boolean() }).optional(),
});

export type SnapshotRecord = z.input<typeof SnapshotCodec>;
export type DecisionRecord = z.input<typeof DecisionCodec>;
export type StopClaimRecord = z.input<typeof StopClaimCodec>;
export type StopResultRecord = z.input<typeof StopResultCodec>;
export type SessionSummaryRecord = z.input<typeof SessionSummaryCodec>;
export type CachedPriceDayRecord = z.input<typeof CachedPriceDayCodec>;

// Compile-time checks that each codec's domain side is exactly the port type, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameTypes: [
  Same<z.output<typeof SnapshotCodec>, Snapshot>,
  Same<z.output<typeof DecisionCodec>, Decision>,
  Same<z.output<typeof StopClaimCodec>, StopClaim>,
  Same<z.output<typeof StopResultCodec>, StopResult>,
  Same<z.output<typeof SessionSummaryCodec>, SessionSummary>,
  Same<z.output<typeof CachedPriceDayCodec>, CachedPriceDay>,
  Same<z.output<typeof StopReasonSchema>, StopReason>,
] = [true, true, true, true, true, true, true];
void _sameTypes;

type ErrorClass = new (message: string, options?: ErrorOptions) => StopwattError;

function encodeWith<S extends z.ZodType>(
  codec: S,
  value: z.output<S>,
  what: string,
  ErrorType: ErrorClass,
): z.input<S> {
  const result = codec.safeEncode(value);
  if (!result.success) {
    throw new ErrorType(`cannot store ${what}: ${formatZodError(result.error)}`, { cause: result.error });
  }
  return result.data;
}

function decodeWith<S extends z.ZodType>(
  codec: S,
  value: unknown,
  what: string,
  ErrorType: ErrorClass,
): z.output<S> {
  // safeDecode is typed to take the record type; the point here is to check an unknown value.
  const result = codec.safeDecode(value as z.input<S>);
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

/** Throws PriceUnavailableError: cached prices that cannot be stored or read are not usable prices. */
export function serializeCachedPriceDay(day: CachedPriceDay): CachedPriceDayRecord {
  return encodeWith(CachedPriceDayCodec, day, `prices for ${day.area} on ${day.date}`, PriceUnavailableError);
}

export function reviveCachedPriceDay(value: unknown, origin = 'cached price day'): CachedPriceDay {
  return decodeWith(CachedPriceDayCodec, value, origin, PriceUnavailableError);
}
