import { formatLocalDateTime } from './core/local-time.ts';
import type { StopReason } from './core/rules.ts';
import type { Snapshot } from './core/snapshot.ts';
import { tokenExpiry } from './core/token-expiry.ts';
import type { NotificationEvent, StopResult } from './ports.ts';

/** Every text stopwatt notifies, with its deduplication key: the same key is delivered once. */

export function sessionEndedNotice(input: {
  readonly reason: StopReason;
  readonly detail: string;
  readonly snapshot: Snapshot;
  readonly pricePerKwh: number | null;
}): NotificationEvent {
  const { reason, detail, snapshot, pricePerKwh } = input;
  const cost = snapshot.cost !== null ? `, cost ${snapshot.cost.toFixed(2)} ${snapshot.currency ?? ''}` : '';
  const price =
    pricePerKwh !== null
      ? `, price ${pricePerKwh.toFixed(3)} ${snapshot.currency ?? ''}/kWh`.replace(' /', '/')
      : '';
  return {
    kind: 'session-ended',
    key: `session-ended:${snapshot.sessionId}`,
    subject: `Charging ended: ${reason} rule`,
    message: `stopwatt ended session ${snapshot.sessionId}: ${detail}. Energy ${snapshot.energyKwh.toFixed(2)} kWh${cost}${price}.`,
    data: {
      sessionId: snapshot.sessionId,
      reason,
      energyKwh: snapshot.energyKwh,
      cost: snapshot.cost,
      currency: snapshot.currency,
      pricePerKwh,
      startedAt: snapshot.startedAt?.toISOString() ?? null,
    },
  };
}

/** One stop attempt failed; stopwatt tries again on a later tick. */
export function stopFailedNotice(result: StopResult): NotificationEvent {
  return {
    kind: 'stop-failed',
    key: `stop-failed:${result.sessionId}:${result.attempt}`,
    subject: 'stopwatt could not end your charging session',
    message: `Ending session ${result.sessionId} (${result.detail}) failed: ${result.error ?? 'unknown error'}. stopwatt retries on the next tick while the session is active; check the operator's app.`,
    data: { sessionId: result.sessionId, attempt: result.attempt, error: result.error ?? null },
  };
}

/** Every attempt was made and the session is still active: the driver must act. */
export function gaveUpNotice(input: {
  readonly sessionId: string;
  readonly attempts: number;
  readonly reason: StopReason;
  readonly detail: string;
}): NotificationEvent {
  const { sessionId, attempts, reason, detail } = input;
  return {
    kind: 'stop-failed',
    key: `stop-failed:${sessionId}`,
    subject: 'stopwatt could not end your charging session',
    message: `Session ${sessionId} is still active after ${attempts} stop attempts (${detail}). End it in the operator's app.`,
    data: { sessionId, attempts, reason },
  };
}

/**
 * Spot prices could not be read. `since` is the outage start when a condition log knows it; the
 * key is then per outage, otherwise per hour with a failure.
 */
export function priceFeedNotice(
  at: Date,
  since: Date | null,
  reason: string,
  timeZone: string,
): NotificationEvent {
  const from = since ? ` since ${formatLocalDateTime(since, timeZone)} ${timeZone}` : '';
  return {
    kind: 'price-feed-unavailable',
    key: `price-feed-unavailable:${since ? since.toISOString() : at.toISOString().slice(0, 13)}`,
    subject: 'stopwatt: price feed unavailable',
    message: `Spot prices could not be read${from} (${reason}). The price rule cannot end a session until they are back; energy, cost and deadline rules still apply.`,
    data: { at: at.toISOString(), since: since?.toISOString() ?? null },
  };
}

/** The charging API rejected the credentials; keyed per day. */
export function authFailedNotice(input: {
  readonly account: string;
  readonly error: string;
  readonly loginMode: boolean;
  readonly now: Date;
}): NotificationEvent {
  const { account, loginMode } = input;
  const todo = loginMode
    ? `check the login with \`stopwatt login --account ${account}\``
    : `get a new token from the app and run \`stopwatt token set --account ${account}\``;
  return {
    kind: 'auth-failed',
    key: `auth-failed:${input.now.toISOString().slice(0, 10)}`,
    subject: 'stopwatt cannot sign in to your charging account',
    message: `${input.error}. stopwatt cannot see or end sessions until this is fixed: ${todo}.`,
    data: { account },
  };
}

/** The stored rules do not validate; keyed per day and error. */
export function rulesInvalidNotice(input: {
  readonly account: string;
  readonly error: string;
  readonly now: Date;
}): NotificationEvent {
  const { account, error } = input;
  return {
    kind: 'rules-invalid',
    key: `rules-invalid:${input.now.toISOString().slice(0, 10)}:${error}`,
    subject: 'stopwatt: your rules are invalid',
    message: `${error}. Nothing is ended until they are fixed: run \`stopwatt rules reset --account ${account} --region <region>\`, then \`stopwatt rules set --account ${account} --region <region> ...\`.`,
    data: { account },
  };
}

/**
 * A warning when the access token expires within 14 days or 1 day (or has expired), keyed so
 * each threshold is notified once per token. Null when there is nothing to say.
 */
export function expiryNotice(
  token: string,
  now: Date,
  context: {
    account: string;
    loginMode: boolean;
    /** Where the token came from: SSM (deployed, `token set`) or STOPWATT_TOKEN (local runs). @default 'ssm' */
    tokenSource?: 'ssm' | 'env';
    /** The rules' time zone: the expiry is shown on its wall clock. @default 'UTC' */
    timeZone?: string;
  },
): NotificationEvent | null {
  const expiry = tokenExpiry(token, now);
  if (!expiry || expiry.threshold === null) return null;
  const zone = context.timeZone ?? 'UTC';
  const when = `${formatLocalDateTime(expiry.expiresAt, zone)} ${zone}`;
  const what =
    expiry.threshold === 0
      ? `The access token for account "${context.account}" expired on ${when}`
      : `The access token for account "${context.account}" expires on ${when} (${timeLeft(expiry.daysLeft)})`;
  return {
    kind: 'token-expiring',
    key: `token-expiring:${context.account}:${expiry.threshold}:${expiry.expiresAt.getTime()}`,
    subject:
      expiry.threshold === 0 ? 'stopwatt: access token expired' : 'stopwatt: access token expires soon',
    message: `${what}. ${whatToDo(context)}`,
    data: {
      account: context.account,
      expiresAt: expiry.expiresAt.toISOString(),
      threshold: expiry.threshold,
    },
  };
}

function whatToDo(context: { account: string; loginMode: boolean; tokenSource?: 'ssm' | 'env' }): string {
  if (context.loginMode)
    return 'stopwatt logs in again by itself when it is rejected; nothing to do unless you changed your password.';
  if (context.tokenSource === 'env')
    return 'This run takes the token from STOPWATT_TOKEN: set it to a new token (see "Getting a token" in the README); until then stopwatt cannot end sessions.';
  return `Store a new token with \`stopwatt token set --account ${context.account}\` (see "Getting a token" in the README), or switch to login mode with \`stopwatt login --account ${context.account}\` so stopwatt renews the token itself; until then stopwatt cannot end sessions.`;
}

/** Whole days, rounded down: the 1-day notice nearly always has less than a full day left. */
function timeLeft(daysLeft: number): string {
  if (daysLeft < 1) return 'in less than a day';
  return daysLeft === 1 ? 'in 1 day' : `in ${daysLeft} days`;
}
