import { type Decision, decide } from './core/decide.ts';
import { applyOnce, type OnceResult } from './core/once.ts';
import type { PriceReading, PriceSlot } from './core/prices.ts';
import type { Rules, StopReason } from './core/rules.ts';
import { isStoppingOrFinished } from './core/session.ts';
import { type Snapshot, toSnapshot } from './core/snapshot.ts';
import { errorMessage, StopFailedError } from './errors.ts';
import type {
  ChargingApi,
  Clock,
  ConditionLog,
  NotificationEvent,
  Notifier,
  PriceSource,
  RulesStore,
  SessionLog,
  StopClaim,
  StopResult,
} from './ports.ts';

export interface CheckDeps {
  readonly api: ChargingApi;
  readonly log: SessionLog;
  readonly rules: Rules;
  readonly clock: Clock;
  /** Required when `rules.priceSource` is `spot`. */
  readonly prices?: PriceSource | undefined;
  readonly notifier?: Notifier | undefined;
  /**
   * Names this process or invocation in stop claims. Must differ between runners that can tick
   * the same session at the same time: a tick recognises its own claim by it (see `stop`).
   */
  readonly instanceId: string;
  /**
   * How far ahead a predicted stop may be waited for inside this tick (normally the schedule
   * interval). 0 disables the precise wait. @default 0
   */
  readonly horizonMs?: number | undefined;
  /** A stop accepted but not taking effect is re-sent after this long. @default 120000 */
  readonly resendAfterMs?: number | undefined;
  /** Stop attempts per session before giving up and reporting. @default 3 */
  readonly maxAttempts?: number | undefined;
  readonly warn?: ((message: string) => void) | undefined;
  /** Remembers ongoing problems (price feed outage) so they are notified only once they last. */
  readonly conditions?: ConditionLog | undefined;
  /** Where the stored rules live, to bind and clear a one-session override (`rules.once`). */
  readonly rulesStore?: RulesStore | undefined;
}

export type CheckAction = 'end' | 'continue' | 'none' | 'dry-run' | 'already-stopping';

export interface CheckOutcome {
  readonly action: CheckAction;
  readonly reason: StopReason | null;
  readonly sessionId: string | null;
  readonly energyKwh: number | null;
  readonly powerKw: number | null;
  readonly pricePerKwh: number | null;
  /** One human-readable line: what was decided and why, with numbers. */
  readonly detail: string;
  readonly decision: Decision;
  readonly snapshot: Snapshot | null;
  readonly stop: StopResult | null;
  /** Time spent waiting in-tick for a predicted stop, ms. */
  readonly waitedMs: number;
}

/**
 * The public fields of an outcome, in this order: the CLI's `--json` object (DESIGN §7, exactly
 * these keys) and the check function's result.
 */
export function outcomeFields(outcome: CheckOutcome) {
  return {
    action: outcome.action,
    reason: outcome.reason,
    sessionId: outcome.sessionId,
    energyKwh: outcome.energyKwh,
    powerKw: outcome.powerKw,
    pricePerKwh: outcome.pricePerKwh,
  };
}

/**
 * One tick: observe -> decide -> log -> (claim -> end -> log result). The same use case runs in
 * the Lambda and the CLI; only the adapters differ. A stop is only sent after its claim is
 * durably written, so two overlapping ticks never both send `/end` for the same attempt.
 */
export async function runCheck(input: CheckDeps): Promise<CheckOutcome> {
  const { api, clock } = input;
  api.beginTick?.();
  const readStarted = clock.now();
  const session = await api.activeSession();
  const observedAt = clock.now();
  const readLatencyMs = Math.max(0, observedAt.getTime() - readStarted.getTime());
  const once = applyOnce(input.rules, session?.id ?? null);
  if (once.change && input.rulesStore) await persistOnce(input.rulesStore, once.change);
  const deps: CheckDeps = { ...input, rules: once.effective };
  const { rules } = deps;
  if (!session) {
    await closeEndedSessions(deps, observedAt);
    const decision = decide({ snapshot: null, rules, now: observedAt, price: null });
    return outcome(decision, null, null, 'no active session');
  }

  let snapshot = toSnapshot(session, observedAt, rules.sessionPriceFormula);
  const previous = await deps.log.lastObservation(snapshot.sessionId);
  const { price, forecast } = await readPrice(deps, snapshot, observedAt);
  let decision = decide({ snapshot, rules, now: observedAt, price, forecast, previous });
  await record(deps, snapshot, observedAt, decision);
  let waitedMs = 0;

  const horizonMs = deps.horizonMs ?? 0;
  if (decision.action === 'continue' && decision.wake && horizonMs > 0) {
    const untilWake = decision.wake.at.getTime() - clock.now().getTime();
    if (untilWake <= horizonMs) {
      // Energy is extrapolated: aim so the stop lands at the predicted instant (the re-read and the
      // stop each take about one latency). A price boundary or deadline is exact and must have
      // passed when the rule is evaluated, so sleep until it (plus a hair for clock granularity).
      const sleepMs =
        decision.wake.reason === 'energy'
          ? Math.max(0, untilWake - 2 * readLatencyMs)
          : Math.max(0, untilWake + BOUNDARY_MARGIN_MS);
      await clock.sleep(sleepMs);
      waitedMs = sleepMs;
      const reread = await api.getSession(snapshot.sessionId);
      const now = clock.now();
      if (!reread) {
        return outcome(
          decide({ snapshot: null, rules, now, price: null }),
          null,
          null,
          'session ended during the wait',
          waitedMs,
        );
      }
      const before = snapshot;
      snapshot = toSnapshot(reread, now, rules.sessionPriceFormula);
      const again = await readPrice(deps, snapshot, now);
      decision = decide({
        snapshot,
        rules,
        now,
        price: again.price,
        forecast: again.forecast,
        previous: before,
        energyToleranceKwh: ENERGY_TOLERANCE_KWH,
      });
      await record(deps, snapshot, now, decision);
      return act(deps, decision, snapshot, again.price, waitedMs);
    }
  }
  return act(deps, decision, snapshot, price, waitedMs);
}

/** How far past a price-slot boundary or deadline the re-read is made. */
export const BOUNDARY_MARGIN_MS = 50;

/** After a precise wait, energy this close below the target counts as reached (meter granularity). */
export const ENERGY_TOLERANCE_KWH = 0.015;

async function act(
  deps: CheckDeps,
  decision: Decision,
  snapshot: Snapshot,
  price: PriceReading | null,
  waitedMs: number,
): Promise<CheckOutcome> {
  const pricePerKwh = price?.perKwh ?? null;
  switch (decision.action) {
    case 'none':
    case 'continue':
      return outcome(decision, snapshot, pricePerKwh, describeContinue(decision), waitedMs);
    case 'already-stopping':
      await reconcile(deps, snapshot);
      return outcome(
        decision,
        snapshot,
        pricePerKwh,
        `session is ${snapshot.status}; no stop sent`,
        waitedMs,
      );
    case 'end': {
      if (deps.rules.dryRun) {
        return {
          ...outcome(decision, snapshot, pricePerKwh, `dry run: would end (${decision.detail})`, waitedMs),
          action: 'dry-run',
          reason: decision.reason,
        };
      }
      return stop(deps, decision, snapshot, pricePerKwh, waitedMs);
    }
  }
}

async function stop(
  deps: CheckDeps,
  decision: Extract<Decision, { action: 'end' }>,
  snapshot: Snapshot,
  pricePerKwh: number | null,
  waitedMs: number,
): Promise<CheckOutcome> {
  const { api, log, clock } = deps;
  const sessionId = decision.sessionId;
  const latest = await log.latestClaim(sessionId);
  let attempt = 1;
  if (latest) {
    const result = await log.latestStopResult(sessionId);
    const sinceClaim = clock.now().getTime() - latest.claimedAt.getTime();
    const failed = result?.attempt === latest.attempt && result.outcome === 'failed';
    const ignored = sinceClaim >= (deps.resendAfterMs ?? 120_000);
    if (!failed && !ignored) {
      return {
        ...outcome(
          decision,
          snapshot,
          pricePerKwh,
          `stop already sent at ${latest.claimedAt.toISOString()}; waiting for it to take effect`,
          waitedMs,
        ),
        action: 'already-stopping',
        reason: decision.reason,
      };
    }
    if (latest.attempt >= (deps.maxAttempts ?? 3)) {
      await notify(deps, {
        kind: 'stop-failed',
        key: `stop-failed:${sessionId}`,
        subject: 'stopwatt could not end your charging session',
        message: `Session ${sessionId} is still active after ${latest.attempt} stop attempts (${decision.detail}). End it in the operator's app.`,
        data: { sessionId, attempts: latest.attempt, reason: decision.reason },
      });
      throw new StopFailedError(
        `session ${sessionId} is still active after ${latest.attempt} stop attempts; giving up (end it in the app)`,
      );
    }
    attempt = latest.attempt + 1;
  }

  const claim: StopClaim = {
    sessionId,
    attempt,
    claimedAt: clock.now(),
    reason: decision.reason,
    detail: decision.detail,
    by: deps.instanceId,
  };
  let claimed = await log.claimStop(claim);
  if (!claimed) {
    // When the answer to the conditional write is lost (timeout, 5xx) the SDK retries it, and the
    // retry fails its condition against our own claim. The claim is ours when the stored one is
    // exactly what this tick wrote; otherwise another process holds it.
    claimed = isSameClaim(await log.latestClaim(sessionId), claim);
  }
  if (!claimed) {
    return {
      ...outcome(
        decision,
        snapshot,
        pricePerKwh,
        'another stopwatt process is ending this session',
        waitedMs,
      ),
      action: 'already-stopping',
      reason: decision.reason,
    };
  }

  const base = {
    sessionId,
    attempt,
    reason: decision.reason,
    detail: decision.detail,
    energyKwh: snapshot.energyKwh,
  };
  let result: StopResult;
  try {
    const sent = await api.endSession(sessionId);
    if (sent.kind === 'accepted') {
      result = { ...base, at: clock.now(), outcome: 'accepted' };
    } else {
      // 404: gone or already finished counts as success; anything else is a failure.
      const check = await api.getSession(sessionId);
      if (check === null || isStoppingOrFinished(check.status)) {
        result = { ...base, at: clock.now(), outcome: 'already-ended' };
      } else {
        result = {
          ...base,
          at: clock.now(),
          outcome: 'failed',
          error: `stop answered 404 but the session is still ${check.status}`,
        };
      }
    }
  } catch (error) {
    result = { ...base, at: clock.now(), outcome: 'failed', error: errorMessage(error) };
    await log.recordStopResult(result);
    await notifyStopFailed(deps, result);
    throw error;
  }
  await log.recordStopResult(result);
  if (result.outcome === 'failed') {
    await notifyStopFailed(deps, result);
    throw new StopFailedError(`stop of session ${sessionId} failed: ${result.error ?? 'unknown'}`);
  }
  await log.putSummary({
    sessionId,
    startedAt: snapshot.startedAt,
    lastSeenAt: snapshot.observedAt,
    endedAt: result.at,
    status: 'stopping',
    energyKwh: snapshot.energyKwh,
    cost: snapshot.cost,
    currency: snapshot.currency,
    stopReason: decision.reason,
    stopDetail: decision.detail,
  });
  await notify(deps, {
    kind: 'session-ended',
    key: `session-ended:${sessionId}`,
    subject: `Charging ended: ${decision.reason} rule`,
    message: `stopwatt ended session ${sessionId}: ${decision.detail}. Energy ${snapshot.energyKwh.toFixed(2)} kWh${
      snapshot.cost !== null ? `, cost ${snapshot.cost.toFixed(2)} ${snapshot.currency ?? ''}` : ''
    }${pricePerKwh !== null ? `, price ${pricePerKwh.toFixed(3)}/kWh` : ''}.`,
    data: {
      sessionId,
      reason: decision.reason,
      energyKwh: snapshot.energyKwh,
      cost: snapshot.cost,
      currency: snapshot.currency,
      pricePerKwh,
      startedAt: snapshot.startedAt?.toISOString() ?? null,
    },
  });
  return {
    ...outcome(decision, snapshot, pricePerKwh, `ended: ${decision.detail}`, waitedMs),
    stop: result,
  };
}

function isSameClaim(stored: StopClaim | null, mine: StopClaim): boolean {
  return (
    stored !== null &&
    stored.attempt === mine.attempt &&
    stored.by === mine.by &&
    stored.claimedAt.getTime() === mine.claimedAt.getTime()
  );
}

/** A claim without a result (the process died after `/end`) is completed from the session status. */
async function reconcile(deps: CheckDeps, snapshot: Snapshot): Promise<void> {
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

/**
 * Binds or clears the stored override; re-reads first, past any cache, so rules stored since this
 * tick read them (a newer `rules set --once`, a changed base rule) are not overwritten.
 */
async function persistOnce(store: RulesStore, change: NonNullable<OnceResult['change']>): Promise<void> {
  const stored = await store.get({ fresh: true });
  if (!stored?.once) return;
  if (change.kind === 'bind' && stored.once.sessionId === undefined) {
    await store.put({ ...stored, once: { ...stored.once, sessionId: change.sessionId } });
  } else if (change.kind === 'clear' && stored.once.sessionId !== undefined) {
    const { once: _cleared, ...rest } = stored;
    await store.put(rest);
  }
}

async function record(deps: CheckDeps, snapshot: Snapshot, at: Date, decision: Decision): Promise<void> {
  await deps.log.recordObservation(snapshot);
  // A dry run logs its `end` as such, so the history never shows it as a stop.
  const dryRun = decision.action === 'end' && deps.rules.dryRun === true;
  await deps.log.recordDecision(snapshot.sessionId, at, dryRun ? { ...decision, dryRun } : decision);
  const existing = await deps.log.latestClaim(snapshot.sessionId);
  await deps.log.putSummary({
    sessionId: snapshot.sessionId,
    startedAt: snapshot.startedAt,
    lastSeenAt: at,
    endedAt: existing && isStoppingOrFinished(snapshot.status) ? existing.claimedAt : null,
    status: snapshot.status,
    energyKwh: snapshot.energyKwh,
    cost: snapshot.cost,
    currency: snapshot.currency,
    stopReason: existing?.reason ?? null,
    stopDetail: existing?.detail ?? null,
  });
}

async function readPrice(
  deps: CheckDeps,
  snapshot: Snapshot,
  at: Date,
): Promise<{ price: PriceReading | null; forecast: PriceSlot[] | undefined }> {
  if (deps.rules.priceSource === 'session') {
    const perKwh = snapshot.sessionPricePerKwh;
    return { price: perKwh === null ? null : { perKwh, source: 'session' }, forecast: undefined };
  }
  if (!deps.prices) {
    deps.warn?.('price source is spot but no price feed is configured: the price rule is inactive');
    return { price: null, forecast: undefined };
  }
  try {
    const price = await deps.prices.current(at);
    const forecast = await deps.prices.forecast(at);
    if (price) {
      await track(deps, () => deps.conditions?.clear(PRICE_FEED_CONDITION));
    } else {
      deps.warn?.(`no spot price for ${at.toISOString()}: the price rule is inactive this tick`);
      await priceFeedDown(deps, at, `no price for ${at.toISOString()}`);
    }
    return { price, forecast };
  } catch (error) {
    deps.warn?.(`price feed unavailable: ${errorMessage(error)}; the price rule is inactive this tick`);
    await priceFeedDown(deps, at, errorMessage(error));
    return { price: null, forecast: undefined };
  }
}

const PRICE_FEED_CONDITION = 'price-feed-unavailable';
/** A price feed outage is notified once it has lasted this long (short outages are normal). */
export const PRICE_FEED_NOTICE_AFTER_MS = 60 * 60_000;

/**
 * Notifies once per outage, after it has lasted an hour. Without a condition log the outage
 * start is unknown, so each hour with a failure is notified once.
 */
async function priceFeedDown(deps: CheckDeps, at: Date, reason: string): Promise<void> {
  let key = `price-feed-unavailable:${at.toISOString().slice(0, 13)}`;
  let since: Date | null = null;
  if (deps.conditions) {
    const conditions = deps.conditions;
    since = (await track(deps, () => conditions.since(PRICE_FEED_CONDITION, at))) ?? null;
    if (!since || at.getTime() - since.getTime() < PRICE_FEED_NOTICE_AFTER_MS) return;
    key = `price-feed-unavailable:${since.toISOString()}`;
  }
  await notify(deps, {
    kind: 'price-feed-unavailable',
    key,
    subject: 'stopwatt: price feed unavailable',
    message: `Spot prices could not be read${since ? ` since ${since.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''} (${reason}). The price rule cannot end a session until they are back; energy, cost and deadline rules still apply.`,
    data: { at: at.toISOString(), since: since?.toISOString() ?? null },
  });
}

/** Sessions seen in the last days that are still open in the log. */
const OPEN_SESSION_LOOKBACK_MS = 3 * 86_400_000;

/**
 * With no session on the account, a session the log still shows as open has ended (unplugged,
 * or stopped elsewhere): close its summary at the last time it was seen. If the API only missed
 * it, the next tick that sees it reopens the summary.
 */
async function closeEndedSessions(deps: CheckDeps, now: Date): Promise<void> {
  await track(deps, async () => {
    const since = new Date(now.getTime() - OPEN_SESSION_LOOKBACK_MS);
    for (const summary of await deps.log.listSessions({ since })) {
      if (summary.status === 'finished') continue;
      await deps.log.putSummary({
        ...summary,
        status: 'finished',
        endedAt: summary.endedAt ?? summary.lastSeenAt,
      });
    }
  });
}

/** Bookkeeping for notifications must never fail a tick: report and carry on. */
async function track<T>(deps: CheckDeps, run: () => Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    deps.warn?.(`condition log: ${errorMessage(error)}`);
    return undefined;
  }
}

async function notifyStopFailed(deps: CheckDeps, result: StopResult): Promise<void> {
  await notify(deps, {
    kind: 'stop-failed',
    key: `stop-failed:${result.sessionId}:${result.attempt}`,
    subject: 'stopwatt could not end your charging session',
    message: `Ending session ${result.sessionId} (${result.detail}) failed: ${result.error ?? 'unknown error'}. stopwatt retries on the next tick while the session is active; check the operator's app.`,
    data: { sessionId: result.sessionId, attempt: result.attempt, error: result.error ?? null },
  });
}

async function notify(deps: CheckDeps, event: NotificationEvent): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.send(event);
  } catch (error) {
    // A notification problem must not hide or undo the tick's real outcome.
    deps.warn?.(`notification failed: ${errorMessage(error)}`);
  }
}

function describeContinue(decision: Decision): string {
  if (decision.action === 'none') return 'no active session';
  if (decision.action !== 'continue') return decision.action;
  const wake = decision.wake ? `; next: ${decision.wake.reason} at ${decision.wake.at.toISOString()}` : '';
  return `continue: ${decision.notes.join('; ') || 'no rule set'}${wake}`;
}

function outcome(
  decision: Decision,
  snapshot: Snapshot | null,
  pricePerKwh: number | null,
  detail: string,
  waitedMs = 0,
): CheckOutcome {
  return {
    action: decision.action,
    reason: decision.action === 'end' ? decision.reason : null,
    sessionId: snapshot?.sessionId ?? null,
    energyKwh: snapshot?.energyKwh ?? null,
    powerKw: snapshot?.powerKw ?? null,
    pricePerKwh,
    detail,
    decision,
    snapshot,
    stop: null,
    waitedMs,
  };
}
