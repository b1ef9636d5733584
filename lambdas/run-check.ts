import { decide } from './core/decide.ts';
import { applyOnceToSessions } from './core/once-sessions.ts';
import type { Session } from './core/session.ts';
import type { CheckDeps } from './use-case/check-deps.ts';
import { endSession } from './use-case/end-session.ts';
import { followStop } from './use-case/follow-stop.ts';
import { type Judgement, judge } from './use-case/judge.ts';
import { type Observation, observe } from './use-case/observe.ts';
import { persistOnce } from './use-case/once-override.ts';
import { buildOutcome, type CheckOutcome, describeContinue, primaryOutcome } from './use-case/outcome.ts';
import { preciseWait } from './use-case/precise-wait.ts';
import { closeEndedSessions, reconcile, recordJudgement } from './use-case/record.ts';
import { readStopLatency } from './use-case/stop-latency.ts';

export type { CheckDeps } from './use-case/check-deps.ts';
export { type CheckAction, type CheckOutcome, outcomeFields } from './use-case/outcome.ts';
export { BOUNDARY_MARGIN_MS } from './use-case/precise-wait.ts';
export { PRICE_FEED_NOTICE_AFTER_MS } from './use-case/prices.ts';

/**
 * One tick: observe -> decide -> precise wait -> arbitrate -> send -> record -> notify, for every
 * open session of the account on its own. The same use case runs in the Lambda and the CLI; only
 * the adapters differ. A session whose stop fails does not keep the others from being judged:
 * its error is thrown once every session has had its turn.
 */
export async function runCheck(input: CheckDeps): Promise<CheckOutcome> {
  const observation = await observe(input);
  const { sessions, observedAt } = observation;
  const once = applyOnceToSessions(input.rules, sessions);
  if (once.change && input.rulesStore) await persistOnce(input.rulesStore, once.change);
  if (sessions.length === 0) {
    const deps: CheckDeps = { ...input, rules: once.base };
    await closeEndedSessions(deps, observedAt);
    return { ...nothingToJudge(deps, observedAt, 'no active session'), sessions: [] };
  }
  const outcomes: CheckOutcome[] = [];
  const failures: unknown[] = [];
  const stopLatencyMs = await readStopLatency(input);
  for (const session of sessions) {
    const deps: CheckDeps = { ...input, rules: once.rulesFor(session.id), stopLatencyMs };
    await checkSession(deps, session, observation).then(
      (outcome) => outcomes.push(outcome),
      (error: unknown) => failures.push(error),
    );
  }
  const primary = primaryOutcome(outcomes);
  if (failures.length > 0 || !primary) throw failures[0];
  return { ...primary, sessions: outcomes };
}

async function checkSession(
  deps: CheckDeps,
  session: Session,
  observation: Observation,
): Promise<CheckOutcome> {
  const previous = await deps.log.lastObservation(session.id);
  const first = await judge(deps, session, observation.observedAt, previous, observation.readLatencyMs);
  await recordJudgement(deps, first);
  // Following a stop ends with the horizon, like the precise wait before it.
  const followMs = deps.followStops ? (deps.horizonMs ?? 0) : 0;
  const deadline = new Date(observation.observedAt.getTime() + followMs);
  const waited = await preciseWait(deps, first, observation.readLatencyMs);
  if (waited.kind === 'no-wait') return act(deps, first, 0, deadline);
  if (waited.kind === 'gone') {
    return nothingToJudge(deps, waited.at, 'session ended during the wait', waited.waitedMs);
  }
  await recordJudgement(deps, waited.judgement);
  return act(deps, waited.judgement, waited.waitedMs, deadline);
}

function nothingToJudge(deps: CheckDeps, now: Date, detail: string, waitedMs = 0): CheckOutcome {
  const decision = decide({ snapshot: null, rules: deps.rules, now, price: null });
  return buildOutcome({ decision, snapshot: null, detail, waitedMs });
}

async function act(
  deps: CheckDeps,
  judgement: Judgement,
  waitedMs: number,
  deadline: Date,
): Promise<CheckOutcome> {
  const { decision, snapshot } = judgement;
  const parts = { decision, snapshot, pricePerKwh: judgement.price?.perKwh ?? null, waitedMs };
  switch (decision.action) {
    case 'none':
    case 'continue':
      return buildOutcome({ ...parts, detail: describeContinue(decision, deps.rules.timezone) });
    case 'already-stopping':
      await reconcile(deps, snapshot);
      // A stop of ours still taking effect: follow it, so its final energy is logged in seconds.
      if (snapshot.status === 'stopping' && (await deps.log.latestClaim(snapshot.sessionId)))
        await followStop(deps, snapshot, deadline);
      return buildOutcome({ ...parts, detail: `session is ${snapshot.status}; no stop sent` });
    case 'end':
      if (deps.rules.dryRun) {
        return buildOutcome({
          ...parts,
          action: 'dry-run',
          detail: `dry run: would end (${decision.detail})`,
        });
      }
      return endSession(deps, { ...judgement, decision }, waitedMs, deadline);
  }
}
