import ky, { HTTPError, type KyInstance, TimeoutError as KyTimeoutError } from 'ky';
import type { z } from 'zod';
import { formatZodError } from '../../config.ts';
import type { Session } from '../../core/session.ts';
import { ApiError, ApiUnreachableError, AuthError, InvalidResponseError, redact } from '../../errors.ts';
import type { ChargingApi, EndOutcome } from '../../ports.ts';
import { appHeaders } from './headers.ts';
import { ChargePointsSchema, LaravelErrorSchema, SessionEnvelopeSchema, toSession } from './schemas.ts';

/** Where the bearer token comes from. `renew` is called at most once per operation, on a 401. */
export interface AccessTokenProvider {
  token(): Promise<string>;
  /** A fresh token after `rejected` got a 401, or null when renewal is impossible (token mode). */
  renew?(rejected: string): Promise<string | null>;
}

export interface AmpecoClientOptions {
  /** Tenant root, e.g. `https://drivee.eu.charge.ampeco.tech`; `/api/v1/...` is appended. */
  readonly apiUrl: string;
  readonly auth: AccessTokenProvider;
  /** Stable 16-hex id sent as `x-device-id`. */
  readonly deviceId: string;
  /** Per-attempt timeout. @default 8000 */
  readonly requestTimeoutMs?: number;
  /** Upper bound for one operation including retries and waits. @default 25000 */
  readonly budgetMs?: number;
  /** Upper bound for all requests of one tick (see `beginTick`). @default 30000 */
  readonly tickBudgetMs?: number;
  /** GET retries (429 honouring Retry-After, 5xx, network errors, timeouts). @default 3 */
  readonly retries?: number;
}

interface RequestOptions {
  readonly signal: AbortSignal;
  readonly deadline: number;
  /** 404 is an answer (null), not an error. */
  readonly allow404?: boolean;
}

const RETRY_STATUS = [408, 429, 500, 502, 503, 504];

/** AMPECO driver-app API client (ky). Messages name method and path; the token never appears. */
export class AmpecoClient implements ChargingApi {
  readonly #http: KyInstance;
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
    const root = options.apiUrl.replace(/\/+$/, '');
    this.#auth = options.auth;
    this.#budgetMs = options.budgetMs ?? 25_000;
    this.#tickBudgetMs = options.tickBudgetMs ?? 30_000;
    this.#retries = options.retries ?? 3;
    this.#http = ky.create({
      prefixUrl: `${root}/api/v1`,
      headers: appHeaders(options.deviceId),
      timeout: options.requestTimeoutMs ?? 8_000,
      throwHttpErrors: true,
      retry: 0,
    });
  }

  async activeSession(): Promise<Session | null> {
    return this.#withBudget(async (opts) => {
      // Primary: home chargers list the open session on the EVSE, including suspended ones.
      const points = await this.#get('app/personal/charge-points', ChargePointsSchema, {
        ...opts,
        allow404: true,
      });
      for (const point of points?.data ?? []) {
        for (const evse of point.evses) {
          if (evse.session) return toSession(evse.session);
        }
      }
      // Fallback for public charging: 404 means no session (or no such route on this tenant).
      const active = await this.#get('app/session/active', SessionEnvelopeSchema, {
        ...opts,
        allow404: true,
      });
      return active ? toSession(active.session) : null;
    });
  }

  async getSession(sessionId: string): Promise<Session | null> {
    return this.#withBudget(async (opts) => {
      const found = await this.#get(`app/session/${encodeURIComponent(sessionId)}`, SessionEnvelopeSchema, {
        ...opts,
        allow404: true,
      });
      return found ? toSession(found.session) : null;
    });
  }

  async endSession(sessionId: string): Promise<EndOutcome> {
    const path = `app/session/${encodeURIComponent(sessionId)}/end`;
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

  async #withBudget<T>(run: (opts: { signal: AbortSignal; deadline: number }) => Promise<T>): Promise<T> {
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
      return await run({ signal: AbortSignal.timeout(budget), deadline: started + budget });
    } finally {
      this.#tickSpentMs += Date.now() - started;
    }
  }

  async #get<S extends z.ZodType>(
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

  /** One request with the token, renewing it once on 401. Returns null on an allowed 404. */
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
      try {
        const response = await this.#http(path, {
          method,
          signal: opts.signal,
          headers: { authorization: `Bearer ${token}` },
          retry: {
            limit: retries,
            methods: ['get'],
            statusCodes: RETRY_STATUS,
            afterStatusCodes: [429, 503],
            retryOnTimeout: true,
            backoffLimit: 4_000,
            // Never wait past the operation budget: a long Retry-After is reported, not slept on.
            shouldRetry: ({ error }) =>
              retryDelayMs(error) > opts.deadline - Date.now() - 500 ? false : undefined,
          },
        });
        return { status: response.status, text: await response.text() };
      } catch (error) {
        if (error instanceof HTTPError) {
          const status = error.response.status;
          const message = await laravelMessage(error.response, this.#secrets());
          if (status === 401) {
            if (!renewed && this.#auth.renew) {
              const fresh = await this.#auth.renew(token);
              if (fresh) {
                token = fresh;
                continue;
              }
            }
            throw new AuthError(
              `${label}: HTTP 401 ${message} (the access token was rejected; set a new one or log in again)`,
              label,
            );
          }
          if (status === 404 && opts.allow404) return null;
          const retryAfter = error.response.headers.get('retry-after');
          throw new ApiError(
            `${label}: HTTP ${status} ${message}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`,
            status,
            label,
          );
        }
        throw unreachable(error, label, opts.signal, this.#secrets());
      }
    }
  }

  #secrets(): string[] {
    return [...this.#sentTokens];
  }
}

function describe(method: string, path: string): string {
  return `${method.toUpperCase()} /api/v1/${path}`;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function snippet(text: string, secrets: readonly string[]): string {
  const flat = redact(text.replace(/\s+/g, ' ').trim(), secrets);
  if (flat.length === 0) return 'empty body';
  return flat.length > 60 ? `${flat.slice(0, 60)}...` : flat;
}

async function laravelMessage(response: Response, secrets: readonly string[]): Promise<string> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    return response.statusText;
  }
  const parsed = LaravelErrorSchema.safeParse(tryJson(text));
  if (parsed.success) return redact(parsed.data.message, secrets);
  if (/<html|<!doctype/i.test(text)) return `(HTML error page${redact(titleOf(text), secrets)})`;
  return `(${snippet(text, secrets)})`;
}

function titleOf(html: string): string {
  const m = /<title>([^<]{1,80})<\/title>/i.exec(html);
  return m?.[1] ? `: ${m[1].trim()}` : '';
}

function retryDelayMs(error: Error): number {
  if (!(error instanceof HTTPError)) return 0;
  const header = error.response.headers.get('retry-after');
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : at - Date.now();
}

function unreachable(error: unknown, label: string, signal: AbortSignal, secrets: readonly string[]): Error {
  if (
    error instanceof KyTimeoutError ||
    signal.aborted ||
    (error instanceof DOMException && error.name === 'TimeoutError')
  ) {
    return new ApiUnreachableError(`${label}: no answer in time (the charging API did not respond)`, label);
  }
  const code = causeCode(error, secrets);
  return new ApiUnreachableError(`${label}: connection failed${code ? ` (${code})` : ''}`, label, {
    cause: new Error(redact(error instanceof Error ? error.message : String(error), secrets)),
  });
}

/** The innermost useful reason: an errno-style code (ECONNREFUSED) or the root cause's message. */
function causeCode(error: unknown, secrets: readonly string[]): string | null {
  let current: unknown = error;
  let message: string | null = null;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (depth > 0) message = redact(current.message, secrets);
    current = current.cause;
  }
  return message;
}
