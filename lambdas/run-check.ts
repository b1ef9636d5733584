import { decide } from './core/decide.ts';
import { applyOnce } from './core/once.ts';
import type { CheckDeps } from './use-case/check-deps.ts';
import { endSession } from './use-case/end-session.ts';
import { type Judgement, judge } from './use-case/judge.ts';
import { observe } from './use-case/observe.ts';
import { persistOnce } from './use-case/once-override.ts';
import { buildOutcome, type CheckOutcome, describeContinue } from './use-case/outcome.ts';
import { preciseWait } from './use-case/precise-wait.ts';
import { closeEndedSessions, reconcile, recordJudgement } from './use-case/record.ts';

export type { CheckDeps } from './use-case/check-deps.ts';
export { type CheckAction, type CheckOutcome, outcomeFields } from './use-case/outcome.ts';
export { BOUNDARY_MARGIN_MS, ENERGY_TOLERANCE_KWH } from './use-case/precise-wait.ts';
export { PRICE_FEED_NOTICE_AFTER_MS } from './use-case/prices.ts';

/**
 * One tick: observe -> decide -> precise wait -> arbitrate -> send -> record -> notify. The same
 * use case runs in the Lambda and the CLI; only the adapters differ.
 */
export async function runCheck(input: CheckDeps): Promise<CheckOutcome> {
  const observation = await observe(input);
  const { session, observedAt } = observation;
  const once = applyOnce(input.rules, session?.id ?? null);
  if (once.change && input.rulesStore) await persistOnce(input.rulesStore, once.change);
  const deps: CheckDeps = { ...input, rules: once.effective };
  if (!session) {
    await closeEndedSessions(deps, observedAt);
    return nothingToJudge(deps, observedAt, 'no active session');
  }
  const previous = await deps.log.lastObservation(session.id);
  const first = await judge(deps, session, observedAt, previous);
  await recordJudgement(deps, first);
  const waited = await preciseWait(deps, first, observation.readLatencyMs);
  if (waited.kind === 'no-wait') return act(deps, first, 0);
  if (waited.kind === 'gone') {
    return nothingToJudge(deps, waited.at, 'session ended during the wait', waited.waitedMs);
  }
  await recordJudgement(deps, waited.judgement);
  return act(deps, waited.judgement, waited.waitedMs);
}

function nothingToJudge(deps: CheckDeps, now: Date, detail: string, waitedMs = 0): CheckOutcome {
  const decision = decide({ snapshot: null, rules: deps.rules, now, price: null });
  return buildOutcome({ decision, snapshot: null, detail, waitedMs });
}

async function act(deps: CheckDeps, judgement: Judgement, waitedMs: number): Promise<CheckOutcome> {
  const { decision, snapshot } = judgement;
  const parts = { decision, snapshot, pricePerKwh: judgement.price?.perKwh ?? null, waitedMs };
  switch (decision.action) {
    case 'none':
    case 'continue':
      return buildOutcome({ ...parts, detail: describeContinue(decision, deps.rules.timezone) });
    case 'already-stopping':
      await reconcile(deps, snapshot);
      return buildOutcome({ ...parts, detail: `session is ${snapshot.status}; no stop sent` });
    case 'end':
      if (deps.rules.dryRun) {
        return buildOutcome({
          ...parts,
          action: 'dry-run',
          detail: `dry run: would end (${decision.detail})`,
        });
      }
      return endSession(deps, { ...judgement, decision }, waitedMs);
  }
}
