import type { AccessTokenProvider } from '../adapters/ampeco/client.ts';
import { LoginTokenProvider } from '../adapters/ampeco/login.ts';
import { ConfigError } from '../errors.ts';
import type { AccountStores } from './account-stores.ts';

export interface TickAccess {
  readonly auth: AccessTokenProvider;
  /** The token the tick starts with (for the expiry notice and log scrubbing). */
  readonly token: string;
  /** Credentials are stored: a rejected token is renewed by logging in. */
  readonly loginMode: boolean;
}

/**
 * Token mode (a stored token) or login mode (stored credentials: the token is renewed by one
 * login per tick at most). How long a token is kept between ticks is the token store's cache; on
 * a 401 it is read again at once, since `token set` or another instance may have replaced it.
 */
export function accessTokens(options: {
  account: string;
  apiUrl: string;
  deviceId: string;
  stores: Pick<AccountStores, 'tokens' | 'credentials' | 'tokenSource'>;
}): (secrets: string[]) => Promise<TickAccess> {
  const { account, stores } = options;
  let login: LoginTokenProvider | null = null;
  return async (secrets) => {
    if (stores.credentials && (await stores.credentials.stored())) {
      login ??= new LoginTokenProvider({
        apiUrl: options.apiUrl,
        deviceId: options.deviceId,
        tokens: stores.tokens,
        credentials: stores.credentials,
        fixHint: `check the login with \`stopwatt login --account ${account}\``,
      });
      login.newTick(secrets);
      // With no stored token (a fresh `stopwatt login`) this is the tick's one login.
      const token = await login.token();
      secrets.push(token);
      return { auth: scrubbingRenewals(login, secrets), token, loginMode: true };
    }
    const stored = await stores.tokens.get();
    if (!stored) {
      throw new ConfigError(
        `no access token for account "${account}": store one with \`stopwatt token set --account ${account}\` (or log in with \`stopwatt login\`)`,
      );
    }
    secrets.push(stored);
    const fixHint = tokenFix(account, stores.tokenSource);
    if (stores.tokenSource === 'env') {
      return { auth: { token: async () => stored, fixHint }, token: stored, loginMode: false };
    }
    let current = stored;
    const reread: AccessTokenProvider = {
      token: async () => current,
      // No login in token mode: the one way out of a 401 is a token stored since it was read.
      renew: async (rejected) => {
        if (current !== rejected) return current;
        const fresh = await stores.tokens.get({ fresh: true });
        if (!fresh || fresh === rejected) return null;
        current = fresh;
        return fresh;
      },
      fixHint,
    };
    return { auth: scrubbingRenewals(reread, secrets), token: stored, loginMode: false };
  };
}

/** A token obtained mid-tick is a secret of the tick too: the caller scrubs its output of it. */
function scrubbingRenewals(auth: AccessTokenProvider, secrets: string[]): AccessTokenProvider {
  const { renew } = auth;
  if (!renew) return auth;
  return {
    token: () => auth.token(),
    renew: async (rejected) => {
      const fresh = await renew.call(auth, rejected);
      if (fresh) secrets.push(fresh);
      return fresh;
    },
    fixHint: auth.fixHint,
  };
}

/** What to do about a rejected token, where it came from. */
function tokenFix(account: string, source: 'ssm' | 'env'): string {
  return source === 'env'
    ? 'get a new token from the app and set STOPWATT_TOKEN'
    : `get a new token from the app and run \`stopwatt token set --account ${account}\`, or use login mode (\`stopwatt login --account ${account}\`)`;
}
