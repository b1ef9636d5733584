import { tokenExpiry } from './core/token-expiry.ts';
import type { NotificationEvent } from './ports.ts';

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
  },
): NotificationEvent | null {
  const expiry = tokenExpiry(token, now);
  if (!expiry || expiry.threshold === null) return null;
  const when = expiry.expiresAt.toISOString().slice(0, 16).replace('T', ' ');
  const what =
    expiry.threshold === 0
      ? `The access token for account "${context.account}" expired on ${when} UTC`
      : `The access token for account "${context.account}" expires on ${when} UTC (${timeLeft(expiry.daysLeft)})`;
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
