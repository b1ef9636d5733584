import { formatLocalTime } from '../../core/local-time.ts';
import { ApiUnreachableError } from '../../errors.ts';
import type { CachedPriceDay } from '../../ports.ts';

/**
 * After a failure that never reached the feed (network down, DNS), a process retries this soon,
 * and another process at once: no request reached the feed, so there is nothing to pace.
 */
export const UNREACHABLE_RETRY_MS = 60_000;

/** Error codes of a connection that never got an answer (Node's fetch puts them in `cause`). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * True when the request got no answer at all: a refused connection or failed DNS lookup somewhere
 * in `cause` (bounded-fetch's ApiUnreachableError, or a raw errno code). A timeout counts as answered:
 * the request may have reached the feed.
 */
export function neverAnswered(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Object && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof ApiUnreachableError && !e.message.includes('no answer in time')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The failed fetch recorded for the first day that has one, as a sentence part; undefined when none. */
export function recordedFailure(days: Iterable<CachedPriceDay | null>, timeZone: string): string | undefined {
  for (const day of days) {
    if (day?.failure) {
      const retry = day.failure.reachedFeed
        ? 'it is tried again 30 minutes later'
        : 'it is tried again on the next run';
      return `the fetch at ${formatLocalTime(day.fetchedAt, timeZone)} failed (${day.failure.message}); ${retry}`;
    }
  }
  return undefined;
}
