import * as z from 'zod/mini';
import type { OnceOverride } from '../../core/rules.ts';
import { ConfigError } from '../../errors.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const decimal = z.pipe(
  z.transform((v) =>
    typeof v === 'string' && v.trim() !== '' ? Number(v.replace(',', '.')) : blankToUndefined(v),
  ),
  z.optional(z.number()),
);

/** The override form as posted (strings; blank means "not set"); the rules schema checks ranges. */
const OnceFormSchema = z.object({
  energyKwh: decimal,
  maxPricePerKwh: decimal,
  stopBy: z.pipe(z.transform(blankToUndefined), z.optional(z.string().check(z.trim()))),
});

/** The one-session override from the form, bound to `sessionId` when a session is open. */
export function onceFromForm(form: Record<string, unknown>, sessionId: string | null): OnceOverride {
  const parsed = OnceFormSchema.safeParse(form);
  if (!parsed.success) throw new ConfigError('the form has a value that is not a number');
  const { energyKwh, maxPricePerKwh, stopBy } = parsed.data;
  if (energyKwh === undefined && maxPricePerKwh === undefined && stopBy === undefined)
    throw new ConfigError('set at least one of energy target, max price or stop by');
  return {
    ...(sessionId ? { sessionId } : {}),
    ...(energyKwh !== undefined ? { energyKwh } : {}),
    ...(maxPricePerKwh !== undefined ? { maxPricePerKwh } : {}),
    ...(stopBy !== undefined ? { stopBy } : {}),
  };
}
