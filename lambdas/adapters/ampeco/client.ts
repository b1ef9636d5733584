import type * as z from 'zod/mini';
import { formatZodError } from '../../config.ts';
import type { SessionLookup, SessionSearch } from '../../core/idle-reads.ts';
import type { Session } from '../../core/session.ts';
import {
  ApiError,
  ApiUnreachableError,
  AuthError,
  InvalidResponseError,
  redact,
  redactSecrets,
} from '../../errors.ts';
import type { ChargingApi, EndOutcome } from '../../ports.ts';
import { retryingFetch } from '../http/retrying-fetch.ts';
import { errorBodyText, snippet, tryJson } from './error-text.ts';
import { appHeaders } from './headers.ts';
import { describe, plainId } from './request-paths.ts';
import { ChargePointsSchema, SessionEnvelopeSchema, toSession } from './schemas.ts';

/** Where the bearer token comes from. `renew` is called at most once per operation, on a 401. */
export interface AccessTokenProvider {
  token(): Promise<string>;
  /** A fresh token after `rejected` got a 401, or null when renewal is impossible (token mode). */
  renew?(rejected: string): Promise<string | null>;
  /** How to fix a token that stays rejected, for the 401 message (depends on mode and place). */
  readonly fixHint?: string;
}

export interface AmpecoClientOptions {
  /** Tenant root, e.g. `https://drivee.eu.charge.ampeco.tech`; `/api/v1/...` is appended. */
  readonly apiUrl: string;
  readonly auth: AccessTokenProvider;
  /** Stable 16-hex id sent as `x-device-id`. */
  readonly deviceId: string;
  /** Per-attempt timeout, headers and body. @default 8000 */
  readonly requestTimeoutMs?: number;
  /** Upper bound for one operation including retries and waits. @default 25000 */
  readonly budgetMs?: number;
  /** Upper bound for all requests of one tick (see `beginTick`). @default 30000 */
  readonly tickBudgetMs?: number;
  /** GET retries (429 honouring Retry-After, 5xx, network errors, timeouts). @default 3 */
  readonly retries?: number;
}

interface RequestOptions {
  readonly deadline: number;
  /** 404 is an answer (null), not an error. */
  readonly allow404?: boolean;
}

/**
 * AMPECO driver-app API client. Every response is bounded in time and size and redirects are
 * refused (see bounded-fetch.ts). Messages name method and path; the token never appears.
 */
export class AmpecoClient implements ChargingApi {
  readonly #root: string;
  readonly #headers: Record<string, string>;
  readonly #requestTimeoutMs: number;
  readonly #auth: AccessTokenProvider;
  readonly #budgetMs: number;
  readonly #retries: number;
  readonly #tickBudgetMs: number;
  #tickSpentMs = 0;
  /**
   * Every token this client has sent. A server may echo it in an error body; it is removed from
   * every message built from a response, since those end up in logs and stored stop results.
   */
  readonly #sentTokens = new Set<string>();

  constructor(options: AmpecoClientOptions) {
    this.#root = options.apiUrl.replace(/\/+$/, '');
    this.#headers = appHeaders(options.deviceId);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
    this.#auth = options.auth;
    this.#budgetMs = options.budgetMs ?? 25_000;
    this.#tickBudgetMs = options.tickBudgetMs ?? 30_000;
    this.#retries = options.retries ?? 3;
  }

  async openSessions(): Promise<Session[]> {
    return (await this.findSessions('all')).sessions;
  }

  /**
   * The open sessions where `lookup` says to look (see SessionLookup): one request for `home` on
   * an account with home chargers and for `active`; two for `all` when no home charger has one.
   */
  async findSessions(lookup: SessionLookup): Promise<SessionSearch> {
    return this.#withBudget(async (opts) => {
      let homeChargers: boolean | null = null;
      if (lookup !== 'active') {
        // Home chargers list the open session on each EVSE, including suspended ones.
        const points = await this.#get('app/personal/charge-points', ChargePointsSchema, {
          ...opts,
          allow404: true,
        });
        const byId = new Map<string, Session>();
        for (const point of points?.data ?? []) {
          for (const evse of point.evses) {
            if (evse.session && !byId.has(evse.session.id))
              byId.set(evse.session.id, toSession(evse.session));
          }
        }
        homeChargers = (points?.data.length ?? 0) > 0;
        if (byId.size > 0 || (lookup === 'home' && homeChargers))
          return { sessions: [...byId.values()], homeChargers };
      }
      // Public charging: 404 means no session (or no such route on this tenant).
      const active = await this.#get('app/session/active', SessionEnvelopeSchema, {
        ...opts,
        allow404: true,
      });
      return { sessions: active ? [toSession(active.session)] : [], homeChargers };
    });
  }

  /** The first open session, or null. */
  async activeSession(): Promise<Session | null> {
    return (await this.openSessions())[0] ?? null;
  }

  async getSession(sessionId: string): Promise<Session | null> {
    const path = `app/session/${plainId(sessionId, describe('get', 'app/session/{id}'))}`;
    return this.#withBudget(async (opts) => {
      const found = await this.#get(path, SessionEnvelopeSchema, {
        ...opts,
        allow404: true,
      });
      return found ? toSession(found.session) : null;
    });
  }

  async endSession(sessionId: string): Promise<EndOutcome> {
    const path = `app/session/${plainId(sessionId, describe('post', 'app/session/{id}/end'))}/end`;
    return this.#withBudget(async (opts) => {
      const response = await this.#send('post', path, { ...opts, allow404: true }, 0);
      if (response === null) return { kind: 'not-found' };
      // 2xx means accepted; the body is informative only, so a body we cannot parse is not a failure.
      const parsed = SessionEnvelopeSchema.safeParse(tryJson(response.text));
      return { kind: 'accepted', session: parsed.success ? toSession(parsed.data.session) : null };
    });
  }

  /**
   * Starts a tick: from here on, all requests together (retries and waits included, in-tick sleeps
   * excluded) get at most `tickBudgetMs`, so a tick that meets several faults still ends in time.
   */
  beginTick(): void {
    this.#tickSpentMs = 0;
  }

  async #withBudget<T>(run: (opts: { deadline: number }) => Promise<T>): Promise<T> {
    const remaining = this.#tickBudgetMs - this.#tickSpentMs;
    const budget = Math.min(this.#budgetMs, remaining);
    if (remaining < 500) {
      throw new ApiUnreachableError(
        `the charging API used up this tick's time budget (${Math.round(this.#tickBudgetMs / 1000)} s); try again next tick`,
        'tick',
      );
    }
    const started = Date.now();
    try {
      return await run({ deadline: started + budget });
    } finally {
      this.#tickSpentMs += Date.now() - started;
    }
  }

  async #get<S extends z.ZodMiniType>(
    path: string,
    schema: S,
    opts: RequestOptions,
  ): Promise<z.output<S> | null> {
    const response = await this.#send('get', path, opts, this.#retries);
    if (response === null) return null;
    const label = describe('get', path);
    const json = tryJson(response.text);
    if (json === undefined) {
      throw new InvalidResponseError(
        `${label}: the response is not valid JSON (${snippet(response.text, this.#secrets())})`,
        label,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidResponseError(
        `${label}: unexpected response shape: ${redact(formatZodError(parsed.error), this.#secrets())}`,
        label,
      );
    }
    return parsed.data;
  }

  /**
   * One request with the token, renewing it once on 401. Returns null on an allowed 404. The body
   * of a 2xx comes back with every sent token removed (in any encoding): its fields end up in the log.
   */
  async #send(
    method: 'get' | 'post',
    path: string,
    opts: RequestOptions,
    retries: number,
  ): Promise<{ status: number; text: string } | null> {
    const label = describe(method, path);
    let token = await this.#auth.token();
    for (let renewed = false; ; renewed = true) {
      this.#sentTokens.add(token);
      const response = await retryingFetch(
        {
          url: `${this.#root}/api/v1/${path}`,
          method: method === 'get' ? 'GET' : 'POST',
          headers: { ...this.#headers, authorization: `Bearer ${token}` },
          label,
          secrets: this.#secrets(),
        },
        { retries, attemptMs: this.#requestTimeoutMs, deadline: opts.deadline },
      );
      const { status } = response;
      if (status >= 200 && status < 300)
        return { status, text: redactSecrets(response.text, this.#secrets()) };
      const message = errorBodyText(response.text, this.#secrets());
      if (status === 401) {
        if (!renewed && this.#auth.renew) {
          const fresh = await this.#auth.renew(token);
          if (fresh) {
            token = fresh;
            continue;
          }
        }
        const fix = this.#auth.fixHint ?? 'get a new access token';
        throw new AuthError(`${label}: HTTP 401 ${message} (the access token was rejected: ${fix})`, label);
      }
      if (status === 404 && opts.allow404) return null;
      const retryAfter = response.headers.get('retry-after');
      throw new ApiError(
        `${label}: HTTP ${status} ${message}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`,
        status,
        label,
      );
    }
  }

  #secrets(): string[] {
    return [...this.#sentTokens];
  }
}
