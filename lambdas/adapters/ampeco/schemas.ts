import { z } from 'zod';
import type { Session } from '../../core/session.ts';

/** Latest instant accepted from the API: beyond it a date cannot be stored or computed with. */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Strict ISO-8601 with an offset (`2025-03-30T14:33:51+00:00`, `...Z`, optional fraction):
 * `Date.parse` alone reads `"garbage 12"` or `"1"` as dates in 2001.
 */
const isoDate = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()) && d.getTime() <= LATEST_MS, 'must be a date before year 10000');

/**
 * A timestamp the session can do without: an unusable one becomes null (the deadline rule and the
 * energy estimate then stand down) instead of failing the whole read, which would kill every rule.
 */
const optionalIsoDate = z.unknown().transform((v) => {
  const parsed = isoDate.safeParse(v);
  return parsed.success ? parsed.data : null;
});

/** Seconds (AMPECO `duration`/`totalDuration`); anything else is treated as absent. */
const seconds = z.unknown().transform((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));

const id = z.union([z.string().min(1), z.number().int()]).transform(String);
/** Session ids go into request paths: a plain identifier, never `.`, `..` or anything with a slash. */
export const PLAIN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const sessionId = id.pipe(z.string().regex(PLAIN_ID, 'must be a plain identifier (letters, digits, _ or -)'));
const amount = z.number().finite().nullable().optional();

/** The session object as the app API returns it. Unknown fields are tolerated (and dropped). */
export const SessionSchema = z.object({
  id: sessionId,
  status: z.string().min(1),
  chargingState: z.string().nullable().optional(),
  startedAt: optionalIsoDate,
  stoppedAt: optionalIsoDate,
  duration: seconds,
  totalDuration: seconds,
  // Negative is impossible, but judged in core (a warning, no stop) rather than failing the whole read.
  energy: z.number().finite(),
  power: z.number().finite().nullable().optional(),
  amount,
  totalAmount: amount,
  currency: z.object({ code: z.string() }).nullable().optional(),
  evseId: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
  lastPeriod: z
    .object({
      state: z.string(),
      amount,
      startedAt: optionalIsoDate,
    })
    .nullable()
    .optional(),
});

export type ApiSession = z.output<typeof SessionSchema>;

export const SessionEnvelopeSchema = z.object({ session: SessionSchema });

export const ChargePointsSchema = z.object({
  data: z.array(
    z.object({
      id,
      evses: z.array(z.object({ id, session: SessionSchema.nullable().optional() })).default([]),
    }),
  ),
});

export const LaravelErrorSchema = z.object({ message: z.string() });

export function toSession(s: ApiSession): Session {
  return {
    id: s.id,
    status: s.status,
    chargingState: s.chargingState ?? null,
    startedAt: s.startedAt ?? null,
    stoppedAt: s.stoppedAt ?? null,
    durationS: s.duration ?? s.totalDuration ?? null,
    energyWh: s.energy,
    powerW: s.power ?? null,
    amount: s.totalAmount ?? s.amount ?? null,
    currency: s.currency?.code ?? null,
    lastPeriod: s.lastPeriod
      ? {
          state: s.lastPeriod.state,
          amount: s.lastPeriod.amount ?? null,
          startedAt: s.lastPeriod.startedAt ?? null,
        }
      : null,
    evseId: s.evseId ?? null,
  };
}
