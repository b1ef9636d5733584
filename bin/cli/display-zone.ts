import { FileRulesStore } from '../../lambdas/adapters/local/file-rules-store.ts';
import { parseRules } from '../../lambdas/config.ts';
import { isValidTimeZone } from '../../lambdas/core/local-time.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './io.ts';
import { DEFAULT_ACCOUNT, storeDir } from './local-deps.ts';

export const TIMEZONE_OPTION = { timezone: { type: 'string' } } as const;

/**
 * The time zone history is shown in: --timezone, else the stored rules' zone (the one deadlines
 * use), else the rules default. Unreadable rules only cost the label, never the listing.
 */
export async function displayTimeZone(
  io: CliIo,
  values: { timezone?: string | undefined; account?: string | undefined; store?: string | undefined },
): Promise<string> {
  if (values.timezone !== undefined) {
    if (!isValidTimeZone(values.timezone))
      throw new UsageError(
        `--timezone must be an IANA time zone such as Europe/Copenhagen (got "${values.timezone}")`,
      );
    return values.timezone;
  }
  const fallback = parseRules({}).timezone;
  try {
    const store = new FileRulesStore({
      dir: storeDir(io, values.store),
      account: values.account ?? DEFAULT_ACCOUNT,
    });
    return (await store.get())?.timezone ?? fallback;
  } catch {
    return fallback;
  }
}
