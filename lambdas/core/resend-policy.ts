/** What the policy needs of the latest stop claim and result (structurally the log's records). */
export interface ClaimFacts {
  readonly attempt: number;
  readonly claimedAt: Date;
}

export interface ResultFacts {
  readonly attempt: number;
  readonly outcome: 'accepted' | 'already-ended' | 'failed';
}

export interface ResendInput {
  readonly latestClaim: ClaimFacts | null;
  readonly latestResult: ResultFacts | null;
  readonly now: Date;
  /** A stop accepted but not taking effect is re-sent after this long. */
  readonly resendAfterMs: number;
  /** Stop attempts per session before giving up. */
  readonly maxAttempts: number;
}

export type ResendVerdict =
  | { readonly kind: 'send'; readonly attempt: number }
  | { readonly kind: 'wait'; readonly since: Date }
  | { readonly kind: 'give-up'; readonly attempts: number };

/**
 * Whether a session that should end gets a (new) stop attempt. The latest attempt is still in
 * flight until it has failed or has been ignored for `resendAfterMs`; then the next attempt is
 * sent, unless `maxAttempts` were already made.
 */
export function resendPolicy(input: ResendInput): ResendVerdict {
  const claim = input.latestClaim;
  if (!claim) return { kind: 'send', attempt: 1 };
  const result = input.latestResult;
  const failed = result?.attempt === claim.attempt && result.outcome === 'failed';
  const ignored = input.now.getTime() - claim.claimedAt.getTime() >= input.resendAfterMs;
  if (!failed && !ignored) return { kind: 'wait', since: claim.claimedAt };
  if (claim.attempt >= input.maxAttempts) return { kind: 'give-up', attempts: claim.attempt };
  return { kind: 'send', attempt: claim.attempt + 1 };
}
