import * as z from 'zod/mini';
import type { Session } from '../../core/session.ts';

/** Latest instant accepted from the API: beyond it a date cannot be stored or computed with. */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Strict ISO-8601 with an offset (`2025-03-30T14:33:51+00:00`, `...Z`, optional fraction):
 * `Date.parse` alone reads `"garbage 12"` or `"1"` as dates in 2001.
 */
const isoDate = z
  .pipe(
    z.iso.datetime({ offset: true }),
    z.transform((v) => new Date(v)),
  )
  .check(
    z.refine(
      (d) => !Number.isNaN(d.getTime()) && d.getTime() <= LATEST_MS,
      'must be a date before year 10000',
    ),
  );

/**
 * A timestamp the session can do without: an unusable one becomes null (the deadline rule and the
 * energy estimate then stand down) instead of failing the whole read, which would kill every rule.
 */
const optionalIsoDate = z.pipe(
  z.unknown(),
  z.transform((v) => {
    const parsed = isoDate.safeParse(v);
    return parsed.success ? parsed.data : null;
  }),
);

/** Seconds (AMPECO `duration`/`totalDuration`); anything else is treated as absent. */
const seconds = z.pipe(
  z.unknown(),
  z.transform((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)),
);

const id = z.pipe(z.union([z.string().check(z.minLength(1)), z.int()]), z.transform(String));
/** Session ids go into request paths: a plain identifier, never `.`, `..` or anything with a slash. */
export const PLAIN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const sessionId = z.pipe(
  id,
  z.string().check(z.regex(PLAIN_ID, 'must be a plain identifier (letters, digits, _ or -)')),
);
const amount = z.optional(z.nullable(z.number()));

/** The session object as the app API returns it. Unknown fields are tolerated (and dropped). */
export const SessionSchema = z.object({
  id: sessionId,
  status: z.string().check(z.minLength(1)),
  chargingState: z.optional(z.nullable(z.string())),
  startedAt: optionalIsoDate,
  stoppedAt: optionalIsoDate,
  duration: seconds,
  totalDuration: seconds,
  // Negative is impossible, but judged in core (a warning, no stop) rather than failing the whole read.
  energy: z.number(),
  power: z.optional(z.nullable(z.number())),
  amount,
  totalAmount: amount,
  currency: z.optional(z.nullable(z.object({ code: z.string() }))),
  evseId: z.optional(z.nullable(z.pipe(z.union([z.string(), z.number()]), z.transform(String)))),
  lastPeriod: z.optional(
    z.nullable(
      z.object({
        state: z.string(),
        amount,
        startedAt: optionalIsoDate,
      }),
    ),
  ),
});

export type ApiSession = z.output<typeof SessionSchema>;

export const SessionEnvelopeSchema = z.object({ session: SessionSchema });

export const ChargePointsSchema = z.object({
  data: z.array(
    z.object({
      id,
      evses: z._default(z.array(z.object({ id, session: z.optional(z.nullable(SessionSchema)) })), []),
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
