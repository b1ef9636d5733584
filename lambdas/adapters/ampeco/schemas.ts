import { z } from 'zod';
import type { Session } from '../../core/session.ts';

const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 timestamp')
  .transform((v) => new Date(v));

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
  startedAt: isoDate.nullable().optional(),
  stoppedAt: isoDate.nullable().optional(),
  energy: z.number().finite().nonnegative(),
  power: z.number().finite().nullable().optional(),
  amount,
  totalAmount: amount,
  currency: z.object({ code: z.string() }).nullable().optional(),
  evseId: z.union([z.string(), z.number()]).transform(String).nullable().optional(),
  lastPeriod: z
    .object({
      state: z.string(),
      amount,
      startedAt: isoDate.nullable().optional(),
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
