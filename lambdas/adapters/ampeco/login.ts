import * as z from 'zod/mini';
import { ApiError, AuthError, InvalidResponseError, redact } from '../../errors.ts';
import type { TokenStore } from '../../ports.ts';
import { type BoundedResponse, boundedFetch } from '../http/bounded-fetch.ts';
import type { AccessTokenProvider } from './client.ts';
import { appHeaders } from './headers.ts';

/** Password-grant login data (Laravel Passport); `refreshToken` is kept where the tenant issues one. */
export interface LoginCredentials {
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken?: string | undefined;
}

export interface CredentialsStore {
  /** `fresh` bypasses any read cache: a login must start from the newest refresh token. */
  get(options?: { readonly fresh?: boolean }): Promise<LoginCredentials | null>;
  put(credentials: LoginCredentials): Promise<void>;
}

const TokenResponseSchema = z.object({
  token_type: z.optional(z.string()),
  expires_in: z.optional(z.number()),
  access_token: z.string().check(z.minLength(10)),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
});

const LOGIN_PATH = 'POST /api/v1/app/oauth/token';

/**
 * Token provider for login mode: uses the stored token, and on a 401 re-reads it (it may have been
 * replaced) or else logs in once (refresh grant when a refresh token is stored, else password
 * grant), persists the new access token and the newest refresh token, and hands the new token
 * back for one retry. At most one login per tick: the login endpoint allows about 5 attempts per
 * window, so a failing login must not storm.
 */
export class LoginTokenProvider implements AccessTokenProvider {
  readonly #root: string;
  readonly #deviceId: string;
  readonly #tokens: TokenStore;
  readonly #credentials: CredentialsStore;
  readonly #timeoutMs: number;
  readonly fixHint: string;
  #attempted = false;
  #current: string | null = null;
  #secrets: string[] = [];

  constructor(options: {
    apiUrl: string;
    deviceId: string;
    tokens: TokenStore;
    credentials: CredentialsStore;
    timeoutMs?: number;
    /** For the 401 message once even a fresh login's token is rejected. */
    fixHint?: string;
  }) {
    this.#root = options.apiUrl.replace(/\/+$/, '');
    this.#deviceId = options.deviceId;
    this.#tokens = options.tokens;
    this.#credentials = options.credentials;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.fixHint = options.fixHint ?? 'check the stored login with `stopwatt login`';
  }

  /**
   * Call at the start of each tick: allows one login in it, and takes the token from the store
   * again. A login's credentials are added to `secrets`, for the caller to scrub its output of.
   */
  newTick(secrets: string[] = []): void {
    this.#attempted = false;
    this.#secrets = secrets;
    // The store's cache decides how long a token is kept; `token set` must reach a warm function.
    this.#current = null;
  }

  /** Logins attempted in the current tick (0 or 1). */
  get loginAttempted(): boolean {
    return this.#attempted;
  }

  async token(): Promise<string> {
    const stored = this.#current ?? (await this.#tokens.get());
    if (stored) {
      this.#current = stored;
      return stored;
    }
    return this.#login();
  }

  async renew(rejected: string): Promise<string | null> {
    // Another operation in this tick already replaced the rejected token.
    if (this.#current && this.#current !== rejected) return this.#current;
    if (this.#attempted) return null;
    // A newer token may be stored already (`token set`, another instance's login): no login then.
    const stored = await this.#tokens.get({ fresh: true });
    if (stored && stored !== rejected) {
      this.#current = stored;
      return stored;
    }
    return this.#login();
  }

  async #login(): Promise<string> {
    if (this.#attempted)
      throw new AuthError('login already attempted in this tick; not retrying', LOGIN_PATH);
    this.#attempted = true;
    const credentials = await this.#credentials.get({ fresh: true });
    if (!credentials) {
      throw new AuthError('no credentials stored: run `stopwatt login` or store a token', LOGIN_PATH);
    }
    const useRefresh = credentials.refreshToken !== undefined;
    const body = useRefresh
      ? {
          grant_type: 'refresh_token',
          refresh_token: credentials.refreshToken,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        }
      : {
          grant_type: 'password',
          username: credentials.username,
          password: credentials.password,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        };
    const secrets = [credentials.password, credentials.clientSecret, credentials.refreshToken ?? ''];
    this.#secrets.push(...secrets);
    const response = await this.#post(body, secrets);
    if (response.status < 200 || response.status >= 300) {
      await this.#failed(response, credentials, useRefresh, secrets);
    }
    const { text } = response;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new InvalidResponseError(`${LOGIN_PATH}: the response is not JSON`, LOGIN_PATH);
    }
    const parsed = TokenResponseSchema.safeParse(json);
    if (!parsed.success)
      throw new InvalidResponseError(`${LOGIN_PATH}: no access_token in the response`, LOGIN_PATH);
    const { access_token: token, refresh_token: refreshToken } = parsed.data;
    if (refreshToken !== undefined) this.#secrets.push(refreshToken);
    await this.#tokens.put(token);
    // Refresh tokens rotate and are single use: always keep the newest one.
    if (refreshToken !== undefined || useRefresh) {
      await this.#credentials.put({ ...credentials, refreshToken });
    }
    this.#current = token;
    return token;
  }

  /** The token request: bounded like every AMPECO request, redirects refused (never re-posted). */
  #post(body: Record<string, unknown>, secrets: readonly string[]): Promise<BoundedResponse> {
    return boundedFetch({
      url: `${this.#root}/api/v1/app/oauth/token`,
      method: 'POST',
      headers: { ...appHeaders(this.#deviceId), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      deadline: Date.now() + this.#timeoutMs,
      label: LOGIN_PATH,
      secrets,
    });
  }

  async #failed(
    response: BoundedResponse,
    credentials: LoginCredentials,
    useRefresh: boolean,
    secrets: readonly string[],
  ): Promise<never> {
    const { status } = response;
    const detail = redact(messageOf(response.text), secrets);
    if (useRefresh && (status === 400 || status === 401)) {
      // A rejected refresh token is dead (single use, rotating): the next tick uses the password.
      await this.#credentials.put({ ...credentials, refreshToken: undefined });
    }
    if (status === 400 || status === 401) {
      throw new AuthError(
        `${LOGIN_PATH}: login failed with HTTP ${status} ${detail}; check the stored credentials (stopwatt login)`,
        LOGIN_PATH,
      );
    }
    const retryAfter = response.headers.get('retry-after');
    throw new ApiError(
      `${LOGIN_PATH}: HTTP ${status} ${detail}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`,
      status,
      LOGIN_PATH,
    );
  }
}

function messageOf(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: unknown; error_description?: unknown };
    const message = json.message ?? json.error_description;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}
