import { randomBytes } from 'node:crypto';
import { jsonResponse, type SimResponse } from './http-util.ts';

export interface SimUser {
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  /** Also issue single-use, rotating refresh tokens (default false, like Drivee). */
  refreshTokens?: boolean;
  /** Access token lifetime, s (default 31536000: one year). */
  tokenLifetimeS?: number;
}

const RATE_LIMIT = 5;
const RATE_WINDOW_MS = 60_000;
const DEFAULT_LIFETIME_S = 31_536_000;

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped token (not signed), built at runtime. */
function fakeJwt(sub: string, nowMs: number, lifetimeS: number): string {
  const nowS = Math.floor(nowMs / 1000);
  const header = { typ: 'JWT', alg: 'RS256' };
  const payload = {
    aud: '1',
    jti: randomBytes(20).toString('hex'),
    iat: nowS,
    nbf: nowS,
    exp: nowS + lifetimeS,
    sub,
    scopes: [],
  };
  return `${b64url(header)}.${b64url(payload)}.${b64url('sig')}`;
}

function passportError(status: number, error: string, description: string): SimResponse {
  return jsonResponse(status, { error, error_description: description, message: description });
}

function parseBody(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [key, value] of Object.entries(parsed)) {
          if (typeof value === 'string' || typeof value === 'number') fields[key] = String(value);
        }
      }
    } catch {
      // malformed JSON: treated as missing parameters
    }
    return fields;
  }
  for (const [key, value] of new URLSearchParams(trimmed)) fields[key] = value;
  return fields;
}

/** Laravel Passport `POST /oauth/token` (password and refresh_token grants) with the login rate limit. */
export class OAuthServer {
  private readonly users: SimUser[] = [];
  private readonly refreshTokens = new Map<string, SimUser>();
  private attempts: number[] = [];

  addUser(user: SimUser): void {
    this.users.push({ ...user });
  }

  /** Answers one token request; `onToken` receives each newly issued access token. */
  handle(body: string, nowMs: number, onToken: (accessToken: string) => void): SimResponse {
    this.attempts = this.attempts.filter((at) => at > nowMs - RATE_WINDOW_MS && at <= nowMs);
    if (this.attempts.length >= RATE_LIMIT) {
      return jsonResponse(
        429,
        { message: 'Too Many Attempts.' },
        {
          'x-ratelimit-limit': String(RATE_LIMIT),
          'x-ratelimit-remaining': '0',
          'retry-after': '60',
        },
      );
    }
    this.attempts.push(nowMs);
    const limitHeaders = {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(RATE_LIMIT - this.attempts.length),
    };
    const answer = this.grant(parseBody(body), nowMs, onToken);
    return { ...answer, headers: { ...answer.headers, ...limitHeaders } };
  }

  private grant(
    fields: Record<string, string>,
    nowMs: number,
    onToken: (token: string) => void,
  ): SimResponse {
    const grantType = fields.grant_type;
    if (grantType !== 'password' && grantType !== 'refresh_token') {
      return passportError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
      );
    }
    const clientKnown = this.users.some(
      (user) => user.clientId === fields.client_id && user.clientSecret === fields.client_secret,
    );
    if (!clientKnown) return passportError(401, 'invalid_client', 'Client authentication failed');

    let user: SimUser | undefined;
    if (grantType === 'password') {
      if (fields.username === undefined || fields.password === undefined) {
        return passportError(
          400,
          'invalid_request',
          'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
        );
      }
      user = this.users.find(
        (candidate) => candidate.username === fields.username && candidate.password === fields.password,
      );
      if (user === undefined) {
        return passportError(400, 'invalid_grant', 'The user credentials were incorrect.');
      }
    } else {
      const presented = fields.refresh_token ?? '';
      user = this.refreshTokens.get(presented);
      if (user === undefined || user.clientId !== fields.client_id) {
        return passportError(400, 'invalid_request', 'The refresh token is invalid.');
      }
      this.refreshTokens.delete(presented);
    }

    const lifetimeS = user.tokenLifetimeS ?? DEFAULT_LIFETIME_S;
    const accessToken = fakeJwt(String(this.users.indexOf(user) + 1), nowMs, lifetimeS);
    onToken(accessToken);
    const result: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: lifetimeS,
      access_token: accessToken,
    };
    if (user.refreshTokens === true) {
      const refreshToken = randomBytes(48).toString('hex');
      this.refreshTokens.set(refreshToken, user);
      result.refresh_token = refreshToken;
    }
    return jsonResponse(200, result);
  }
}
