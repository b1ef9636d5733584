import * as z from 'zod/mini';

/** A stored tick status (DynamoDB item or local file), dates as ISO-8601 text. */
export const TickStatusSchema = z.object({
  at: z.coerce.date(),
  action: z.string(),
  detail: z.string(),
  error: z.nullable(z.string()),
  warnings: z.array(z.string()),
  tokenExpiresAt: z.nullable(z.coerce.date()),
});
