import { ApiUnreachableError } from '../../errors.ts';
import { type BoundedRequest, type BoundedResponse, boundedFetch } from './bounded-fetch.ts';

/** Statuses worth another attempt of an idempotent request. */
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Statuses whose `Retry-After` is honoured (when it fits in the budget). */
const RETRY_AFTER_STATUS = new Set([429, 503]);
/** Time kept free at the end of a budget: an attempt that cannot get this much is not started. */
const MIN_ATTEMPT_MS = 500;
const BACKOFF_BASE_MS = 300;
const BACKOFF_LIMIT_MS = 4_000;

export interface RetryPolicy {
  /** Further attempts after the first (0: exactly one attempt, as for `/end`). */
  readonly retries: number;
  /** Upper bound for one attempt, headers and body. */
  readonly attemptMs: number;
  /** Epoch ms by which all attempts and waits must be over. */
  readonly deadline: number;
}

/**
 * `boundedFetch` with retries on 408/429/5xx, connection failures and timeouts, with exponential
 * backoff or the server's `Retry-After`. A wait that would not fit in the budget is not slept on:
 * the last answer (or error) is returned at once, so the caller can report it.
 */
export async function retryingFetch(
  request: Omit<BoundedRequest, 'deadline'>,
  policy: RetryPolicy,
): Promise<BoundedResponse> {
  for (let attempt = 1; ; attempt++) {
    const deadline = Math.min(Date.now() + policy.attemptMs, policy.deadline);
    let outcome: BoundedResponse | ApiUnreachableError;
    try {
      outcome = await boundedFetch({ ...request, deadline });
    } catch (error) {
      if (!(error instanceof ApiUnreachableError)) throw error;
      outcome = error;
    }
    const retryable = outcome instanceof ApiUnreachableError || RETRY_STATUS.has(outcome.status);
    const wait = waitBefore(attempt, outcome);
    const left = policy.deadline - Date.now() - wait;
    if (!retryable || attempt > policy.retries || left < MIN_ATTEMPT_MS) {
      if (outcome instanceof ApiUnreachableError) throw outcome;
      return outcome;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function waitBefore(attempt: number, outcome: BoundedResponse | ApiUnreachableError): number {
  const backoff = Math.min(BACKOFF_LIMIT_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  if (outcome instanceof ApiUnreachableError || !RETRY_AFTER_STATUS.has(outcome.status)) return backoff;
  const header = outcome.headers.get('retry-after');
  if (!header) return backoff;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? backoff : Math.max(0, at - Date.now());
}
