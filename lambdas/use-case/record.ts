import { isStoppingOrFinished } from '../core/session.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { SessionSummary, StopClaim, StopResult } from '../ports.ts';
import type { CheckDeps } from './check-deps.ts';
import { type Judgement, judge } from './judge.ts';
import { track } from './notify.ts';
import { learnStopLatency } from './stop-latency.ts';

/** Logs a reading, its decision and the session's summary. */
export async function recordJudgement(deps: CheckDeps, { snapshot, decision }: Judgement): Promise<void> {
  const { log } = deps;
  await log.recordObservation(snapshot);
  // A dry run logs its `end` as such, so the history never shows it as a stop.
  const dryRun = decision.action === 'end' && deps.rules.dryRun === true;
  await log.recordDecision(
    snapshot.sessionId,
    snapshot.observedAt,
    dryRun ? { ...decision, dryRun } : decision,
  );
  const existing = await log.latestClaim(snapshot.sessionId);
  await log.putSummary({
    sessionId: snapshot.sessionId,
    startedAt: snapshot.startedAt,
    lastSeenAt: snapshot.observedAt,
    endedAt: existing && isStoppingOrFinished(snapshot.status) ? existing.claimedAt : null,
    status: snapshot.status,
    energyKwh: snapshot.energyKwh,
    cost: snapshot.cost,
    currency: snapshot.currency,
    stopReason: existing?.reason ?? null,
    stopDetail: existing?.detail ?? null,
  });
}

/** Logs a stop that went through and marks the session as stopping in its summary. */
export async function recordStopped(
  deps: CheckDeps,
  snapshot: Snapshot,
  claim: StopClaim,
  result: StopResult,
) {
  await deps.log.recordStopResult(result);
  await deps.log.putSummary({
    sessionId: snapshot.sessionId,
    startedAt: snapshot.startedAt,
    lastSeenAt: snapshot.observedAt,
    endedAt: result.at,
    status: 'stopping',
    energyKwh: snapshot.energyKwh,
    cost: snapshot.cost,
    currency: snapshot.currency,
    stopReason: claim.reason,
    stopDetail: claim.detail,
  });
}

/** A claim without a result (the process died after `/end`) is completed from the session status. */
export async function reconcile(deps: CheckDeps, snapshot: Snapshot): Promise<void> {
  const claim = await deps.log.latestClaim(snapshot.sessionId);
  if (!claim) return;
  const result = await deps.log.latestStopResult(snapshot.sessionId);
  if (result && result.attempt === claim.attempt) return;
  await deps.log.recordStopResult({
    sessionId: claim.sessionId,
    attempt: claim.attempt,
    at: deps.clock.now(),
    outcome: 'accepted',
    reason: claim.reason,
    detail: `${claim.detail} (reconciled: session was ${snapshot.status})`,
    energyKwh: snapshot.energyKwh,
  });
}

/** Logs the final reading of a session stopwatt stopped, if it is finished; false if not (or unreadable). */
async function recordFinished(deps: CheckDeps, summary: SessionSummary): Promise<boolean> {
  const { sessionId } = summary;
  const session = await track(deps, `session ${sessionId}: reading its final energy`, () =>
    deps.api.getSession(sessionId),
  );
  if (session?.status !== 'finished') return false;
  const previous = await deps.log.lastObservation(sessionId);
  const finished = await judge(deps, session, deps.clock.now(), previous, 0);
  await recordJudgement(deps, finished);
  await learnStopLatency(deps, finished.snapshot);
  return true;
}

/** Sessions seen in the last days that are still open in the log. */
const OPEN_SESSION_LOOKBACK_MS = 3 * 86_400_000;

/**
 * With no session on the account, a session the log still shows as open has ended (unplugged,
 * or stopped elsewhere): close its summary at the last time it was seen. One that stopwatt
 * stopped is read once by id first, for its final energy and what its stop latency teaches. If
 * the API only missed it, the next tick that sees it reopens the summary.
 */
export async function closeEndedSessions(deps: CheckDeps, now: Date): Promise<void> {
  await track(deps, 'session log (closing ended sessions)', async () => {
    const since = new Date(now.getTime() - OPEN_SESSION_LOOKBACK_MS);
    for (const summary of await deps.log.listSessions({ since })) {
      if (summary.status === 'finished') continue;
      if (summary.stopReason !== null && (await recordFinished(deps, summary))) continue;
      await deps.log.putSummary({
        ...summary,
        status: 'finished',
        endedAt: summary.endedAt ?? summary.lastSeenAt,
      });
    }
  });
}
