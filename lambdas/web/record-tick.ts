import { errorMessage, redact } from '../errors.ts';
import type { TickStatus, TickStatusStore } from './ports.ts';

export interface TickRecord {
  readonly at: Date;
  readonly action: string;
  readonly detail: string;
  readonly error: string | null;
  readonly warnings: readonly string[];
  readonly tokenExpiresAt?: Date | null | undefined;
}

/**
 * Keeps what a tick of the check function did for the phone page, every text redacted. The page
 * is a view: a failed write is reported through `warn` and never fails the tick.
 */
export async function recordTick(
  ticks: TickStatusStore,
  tick: TickRecord,
  options: { readonly secrets: readonly string[]; readonly warn: (message: string) => void },
): Promise<void> {
  const clean = (text: string) => redact(text, options.secrets);
  const status: TickStatus = {
    at: tick.at,
    action: tick.action,
    detail: clean(tick.detail),
    error: tick.error === null ? null : clean(tick.error),
    warnings: tick.warnings.map(clean),
    tokenExpiresAt: tick.tokenExpiresAt ?? null,
  };
  try {
    await ticks.put(status);
  } catch (error) {
    options.warn(`cannot record the last tick for the phone page: ${errorMessage(error)}`);
  }
}
