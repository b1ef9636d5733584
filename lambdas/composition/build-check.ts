import { AmpecoClient } from '../adapters/ampeco/client.ts';
import type { SessionLookup, SessionSearch } from '../core/idle-reads.ts';
import type { Rules } from '../core/rules.ts';
import { AuthError, ConfigError, errorMessage } from '../errors.ts';
import { authFailedNotice, expiryNotice, rulesInvalidNotice } from '../notices.ts';
import type { ChargingApi, Clock, NotificationEvent, PriceSource } from '../ports.ts';
import { type CheckDeps, type CheckOutcome, runCheck } from '../run-check.ts';
import { accessTokens, type TickAccess } from './access-token.ts';
import type { AccountStores } from './account-stores.ts';
import type { Channels } from './channels.ts';
import { accountDeviceId } from './device-id.ts';
import { spotPrices } from './spot-prices.ts';

export interface CheckAccount {
  readonly name: string;
  /** Tenant root of the AMPECO API. */
  readonly apiUrl: string;
  /** How far ahead a predicted stop is waited for inside one tick. */
  readonly horizonMs: number;
  /** Whether a tick follows a stop until the session is finished (see CheckDeps.followStops). */
  readonly followStops?: boolean | undefined;
}

/** What every entry decides for itself. */
export interface EntryChoices {
  readonly account: CheckAccount;
  readonly clock: Clock;
  readonly instanceId: string;
  readonly resolveRules: (stored: Rules | null) => Rules | Promise<Rules>;
  /** A token from the caller's environment instead of SSM (no login renewal then). */
  readonly fixedToken?: string | undefined;
}

/** What an entry (the Lambda handler, a CLI command) chooses; `buildCheck` assembles the rest. */
export interface CheckParts {
  readonly account: CheckAccount;
  readonly stores: AccountStores;
  readonly channels: Channels;
  readonly clock: Clock;
  readonly edsUrl: string;
  /** Names this runner in stop claims (see CheckDeps.instanceId). */
  readonly instanceId: string;
  /** The rules a tick applies given the stored ones (null: none stored). */
  readonly resolveRules: (stored: Rules | null) => Rules | Promise<Rules>;
}

export interface TickOptions {
  /** Receives the token and credentials so the caller can scrub them from its output. */
  readonly secrets: string[];
  readonly warn: (message: string) => void;
  /** Rules already resolved by the caller (`rules()`); read from the store when absent. */
  readonly rules?: Rules | undefined;
  /** Where the tick looks for sessions (the cadence's choice). @default everywhere ('all') */
  readonly lookup?: TickLookup | undefined;
}

export interface TickLookup {
  readonly where: SessionLookup;
  /** Told what the tick's read found, so the cadence can learn where the account's sessions are. */
  readonly seen: (search: SessionSearch) => void;
}

/** One account's check, assembled once (per cold start, per CLI run) and ticked many times. */
export interface AccountCheck {
  readonly parts: CheckParts;
  /** `x-device-id` sent to the API and the login endpoint: derived from account and tenant. */
  readonly deviceId: string;
  /** The rules the next tick applies: the stored ones through `resolveRules`. */
  rules(warn: (message: string) => void): Promise<Rules>;
  tick(options: TickOptions): Promise<CheckOutcome>;
}

export async function buildCheck(parts: CheckParts): Promise<AccountCheck> {
  const { account, stores, clock } = parts;
  const deviceId = await accountDeviceId(account.name, account.apiUrl);
  const access = accessTokens({ account: account.name, apiUrl: account.apiUrl, deviceId, stores });
  const warnings = { current: (_message: string): void => undefined };
  let warnedExpiry: string | null = null;
  const prices = spotPrices({
    edsUrl: parts.edsUrl,
    cache: stores.priceCache,
    clock,
    warn: (message) => warnings.current(message),
  });
  const { notify, rules, authFailed } = accountNotices(parts);
  const signIn = async (options: TickOptions): Promise<TickAccess> => {
    try {
      return await access(options.secrets);
    } catch (error) {
      // Only a login can fail with AuthError here; a missing token is a ConfigError.
      if (error instanceof AuthError) await authFailed(error, true, options.warn);
      throw error;
    }
  };
  const tick = async (options: TickOptions): Promise<CheckOutcome> => {
    warnings.current = options.warn;
    const tickRules = options.rules ?? (await rules(options.warn));
    const { auth, token, loginMode } = await signIn(options);
    const notice = expiryNotice(token, clock.now(), {
      account: account.name,
      loginMode,
      tokenSource: stores.tokenSource,
      timeZone: tickRules.timezone,
    });
    if (notice) {
      // Once per runner and threshold: a warm function or a watch loop need not repeat it each tick.
      if (warnedExpiry !== notice.key) options.warn(notice.message);
      warnedExpiry = notice.key;
      await notify(notice, options.warn);
    }
    try {
      return await runCheck(
        checkDeps(parts, {
          auth,
          deviceId,
          rules: tickRules,
          prices: prices(tickRules),
          warn: options.warn,
          lookup: options.lookup,
        }),
      );
    } catch (error) {
      if (error instanceof AuthError) await authFailed(error, loginMode, options.warn);
      throw error;
    }
  };
  return { parts, deviceId, rules, tick };
}

/** Notifications that never fail a tick (a failed channel is a warning), and the rules read that notifies. */
function accountNotices(parts: CheckParts) {
  const { account, stores, clock } = parts;
  const notify = async (event: NotificationEvent, warn: (m: string) => void): Promise<void> => {
    try {
      await parts.channels.notifier?.send(event);
    } catch (error) {
      warn(`notification failed: ${errorMessage(error)}`);
    }
  };
  const rules = async (warn: (m: string) => void): Promise<Rules> => {
    let stored: Rules | null;
    try {
      stored = await stores.rules.get();
    } catch (error) {
      if (error instanceof ConfigError)
        await notify(
          rulesInvalidNotice({ account: account.name, error: errorMessage(error), now: clock.now() }),
          warn,
        );
      throw error;
    }
    // A bad command-line flag is the caller's mistake, not invalid stored rules: no notice.
    return parts.resolveRules(stored);
  };
  const authFailed = (error: AuthError, loginMode: boolean, warn: (m: string) => void) =>
    notify(
      authFailedNotice({ account: account.name, error: errorMessage(error), loginMode, now: clock.now() }),
      warn,
    );
  return { notify, rules, authFailed };
}

/** The use case's dependencies for one tick. */
function checkDeps(
  parts: CheckParts,
  tick: {
    auth: TickAccess['auth'];
    deviceId: string;
    rules: Rules;
    prices: PriceSource | undefined;
    warn: (m: string) => void;
    lookup: TickLookup | undefined;
  },
): CheckDeps {
  const { account, stores } = parts;
  const client = new AmpecoClient({ apiUrl: account.apiUrl, deviceId: tick.deviceId, auth: tick.auth });
  return {
    api: tick.lookup ? lookingIn(client, tick.lookup) : client,
    log: stores.log,
    rules: tick.rules,
    clock: parts.clock,
    prices: tick.prices,
    notifier: parts.channels.notifier,
    instanceId: parts.instanceId,
    horizonMs: account.horizonMs,
    followStops: account.followStops,
    rulesStore: stores.rules,
    conditions: stores.conditions,
    warn: tick.warn,
  };
}

/** The client, reading the account's sessions where the cadence chose. */
function lookingIn(client: AmpecoClient, lookup: TickLookup): ChargingApi {
  return {
    beginTick: () => client.beginTick(),
    openSessions: async () => {
      const search = await client.findSessions(lookup.where);
      lookup.seen(search);
      return search.sessions;
    },
    getSession: (sessionId) => client.getSession(sessionId),
    endSession: (sessionId) => client.endSession(sessionId),
  };
}
