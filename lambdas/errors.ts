/**
 * Named errors. Every message is safe to print: it names the request (method and path) but
 * never a token. `cause` keeps the underlying error, already stripped of request headers.
 */
export class StopwattError extends Error {
  override readonly name: string = 'StopwattError';
}

/** Bad input from the user: flags, rules, config. The CLI exits 2. */
export class ConfigError extends StopwattError {
  override readonly name = 'ConfigError';
}

/** The charging API rejected the credentials (HTTP 401). */
export class AuthError extends StopwattError {
  override readonly name = 'AuthError';
  constructor(
    message: string,
    readonly request: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The charging API answered with a non-2xx status other than 401. */
export class ApiError extends StopwattError {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly request: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A request (including its retries) did not complete in time, or the connection failed. */
export class ApiUnreachableError extends StopwattError {
  override readonly name = 'ApiUnreachableError';
  constructor(
    message: string,
    readonly request: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A 2xx response whose body is not JSON or does not have the expected shape. */
export class InvalidResponseError extends StopwattError {
  override readonly name = 'InvalidResponseError';
  constructor(
    message: string,
    readonly request: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The session log could not be read or written. */
export class SessionLogError extends StopwattError {
  override readonly name = 'SessionLogError';
}

/** A stop was attempted and did not go through. */
export class StopFailedError extends StopwattError {
  override readonly name = 'StopFailedError';
}

/** The price feed is unavailable or has no price for the current slot. */
export class PriceUnavailableError extends StopwattError {
  override readonly name = 'PriceUnavailableError';
}

const TOKEN_PATTERNS: RegExp[] = [
  /(authorization["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',}]+/gi,
  // 16+ characters: real tokens are long, and "the bearer token of your account" stays readable.
  /(bearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi,
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];

/** Removes anything that looks like a bearer token or an authorization header from text. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string | undefined) =>
      typeof prefix === 'string' ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
