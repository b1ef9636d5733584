import { z } from 'zod';

/** A change made on the phone page, as the control log stores it. */
export const ControlChangeRecord = z.object({ at: z.coerce.date(), action: z.string(), detail: z.string() });
export type ControlChangeRecord = z.output<typeof ControlChangeRecord>;

/** The last tick's status, as the check writes it and the page reads it. */
export const TickStatusRecord = z.object({
  at: z.coerce.date(),
  action: z.string(),
  detail: z.string(),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  tokenExpiresAt: z.coerce.date().nullable(),
});
export type TickStatusRecord = z.output<typeof TickStatusRecord>;

/** The cookie signing key: at least 32 random bytes and the generation a revoke bumps. */
export interface SigningKeyRecord {
  readonly secret: Uint8Array;
  readonly generation: number;
}
