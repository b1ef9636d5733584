import type { ClaimAnswer, StopClaim } from '../ports.ts';

/** Every field equal: the stored claim is the one offered (a retried write that already landed). */
export function isSameClaim(stored: StopClaim, offered: StopClaim): boolean {
  return (
    stored.sessionId === offered.sessionId &&
    stored.attempt === offered.attempt &&
    stored.claimedAt.getTime() === offered.claimedAt.getTime() &&
    stored.by === offered.by &&
    stored.reason === offered.reason &&
    stored.detail === offered.detail
  );
}

/** The answer to a claim whose condition failed against `stored`. */
export function answerAgainst(stored: StopClaim | null, offered: StopClaim): ClaimAnswer {
  if (stored && isSameClaim(stored, offered)) return { kind: 'claimed' };
  return { kind: 'held', claim: stored };
}
