import type { Decision } from '../core/decide.ts';
import { StopFailedError } from '../errors.ts';
import { sessionEndedNotice, stopFailedNotice } from '../notices.ts';
import { arbitrate } from './arbitrate.ts';
import type { CheckDeps } from './check-deps.ts';
import { followStop } from './follow-stop.ts';
import type { Judgement } from './judge.ts';
import { notify } from './notify.ts';
import { buildOutcome, type CheckOutcome } from './outcome.ts';
import { recordStopped } from './record.ts';
import { sendStop } from './send-stop.ts';

/**
 * arbitrate -> send -> record -> follow the stop until finished (until `deadline`, the end of the
 * tick's horizon) -> notify, for a session whose rules say it should end. The notification
 * carries the final energy when the session finished within the tick.
 */
export async function endSession(
  deps: CheckDeps,
  judgement: Judgement & { readonly decision: Extract<Decision, { action: 'end' }> },
  waitedMs: number,
  deadline: Date,
): Promise<CheckOutcome> {
  const { decision, snapshot } = judgement;
  const pricePerKwh = judgement.price?.perKwh ?? null;
  const parts = { decision, snapshot, pricePerKwh, waitedMs };
  const arbitration = await arbitrate(deps, decision);
  if (arbitration.kind === 'in-flight') {
    return buildOutcome({ ...parts, action: 'already-stopping', detail: arbitration.detail });
  }
  const { claim } = arbitration;
  const { result, thrown } = await sendStop(deps, claim, snapshot);
  if (result.outcome === 'failed') {
    await deps.log.recordStopResult(result);
    await notify(deps, stopFailedNotice(result));
    throw (
      thrown ?? new StopFailedError(`stop of session ${claim.sessionId} failed: ${result.error ?? 'unknown'}`)
    );
  }
  await recordStopped(deps, snapshot, claim, result);
  const finished = result.outcome === 'accepted' ? await followStop(deps, snapshot, deadline) : null;
  await notify(
    deps,
    sessionEndedNotice({
      reason: claim.reason,
      detail: claim.detail,
      snapshot: finished?.snapshot ?? snapshot,
      pricePerKwh,
    }),
  );
  return buildOutcome({ ...parts, detail: `ended: ${decision.detail}`, stop: result });
}
