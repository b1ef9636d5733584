import type { Decision } from '../core/decide.ts';
import { formatLocalTime } from '../core/local-time.ts';
import { resendPolicy } from '../core/resend-policy.ts';
import { StopFailedError } from '../errors.ts';
import { gaveUpNotice } from '../notices.ts';
import type { StopClaim } from '../ports.ts';
import type { CheckDeps } from './check-deps.ts';
import { notify } from './notify.ts';

export type Arbitration =
  | { readonly kind: 'send'; readonly claim: StopClaim }
  | { readonly kind: 'in-flight'; readonly detail: string };

/**
 * Decides whether this tick sends a stop, and makes it exclusive: the attempt is sent only once
 * its claim is durably written, so two overlapping ticks never both send `/end` for one attempt.
 * After the last attempt it notifies and throws StopFailedError.
 */
export async function arbitrate(
  deps: CheckDeps,
  decision: Extract<Decision, { action: 'end' }>,
): Promise<Arbitration> {
  const { log, clock } = deps;
  const { sessionId } = decision;
  const latestClaim = await log.latestClaim(sessionId);
  const latestResult = latestClaim ? await log.latestStopResult(sessionId) : null;
  const verdict = resendPolicy({
    latestClaim,
    latestResult,
    now: clock.now(),
    resendAfterMs: deps.resendAfterMs ?? 120_000,
    maxAttempts: deps.maxAttempts ?? 3,
  });
  if (verdict.kind === 'wait') {
    const since = formatLocalTime(verdict.since, deps.rules.timezone, { seconds: true });
    const detail = `stop already sent at ${since}; waiting for it to take effect`;
    return { kind: 'in-flight', detail };
  }
  if (verdict.kind === 'give-up') {
    const { attempts } = verdict;
    await notify(
      deps,
      gaveUpNotice({ sessionId, attempts, reason: decision.reason, detail: decision.detail }),
    );
    throw new StopFailedError(
      `session ${sessionId} is still active after ${attempts} stop attempts; giving up (end it in the app)`,
    );
  }
  const claim: StopClaim = {
    sessionId,
    attempt: verdict.attempt,
    claimedAt: clock.now(),
    reason: decision.reason,
    detail: decision.detail,
    by: deps.instanceId,
  };
  const answer = await log.claimStop(claim);
  if (answer.kind === 'claimed') return { kind: 'send', claim };
  const holder = answer.claim ? ` (${answer.claim.by}, attempt ${answer.claim.attempt})` : '';
  return { kind: 'in-flight', detail: `another stopwatt process${holder} is ending this session` };
}
