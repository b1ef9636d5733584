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

/** SSM Parameter Store could not be read or written (not: the parameter does not exist). */
export class ParameterStoreError extends StopwattError {
  override readonly name = 'ParameterStoreError';
  constructor(
    message: string,
    readonly parameter: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An AWS call failed after its retries: the service refused it (`code` is AWS's error code, e.g.
 * `ConditionalCheckFailedException`) or could not be reached (`code` `NetworkError`, no status).
 */
export class AwsError extends StopwattError {
  override readonly name = 'AwsError';
  constructor(
    message: string,
    readonly code: string,
    readonly status: number | null,
    /** The rest of the error body, e.g. DynamoDB's `Item` for a failed condition. */
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
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

/**
 * Removes anything that looks like a bearer token or an authorization header from text, and
 * every secret given, also in the forms a server may echo it in: any letter case, URL-encoded,
 * JSON-escaped, hex, and base64 or base64url at any byte offset.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = redactSecrets(text, secrets);
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string | undefined) =>
      typeof prefix === 'string' ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

/**
 * Removes the given secrets, in every encoded form `redact` knows, and nothing else: safe on a
 * JSON body (a field named `requires_authorization` stays intact).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = secrets.filter((secret) => secret.length >= 4).flatMap(encodedForms);
  if (forms.length === 0) return text;
  const unique = [...new Set(forms)].sort((a, b) => b.length - a.length);
  return text.replace(new RegExp(unique.map(escapeRegExp).join('|'), 'gi'), '[redacted]');
}

/** Shorter encoded pieces would match unrelated text; the secret itself always counts. */
const MIN_FORM_LENGTH = 8;

function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = [bytes.toString('base64').replace(/=+$/, ''), ...[0, 1, 2].map((o) => base64Core(bytes, o))];
  const forms = [
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1).replaceAll('/', '\\/'),
    bytes.toString('hex'),
    ...base64,
    ...base64.map((b) => b.replaceAll('+', '-').replaceAll('/', '_')),
  ];
  return [secret, ...forms.filter((form) => form.length >= MIN_FORM_LENGTH)];
}

/**
 * The base64 characters that depend on `bytes` alone when they start `offset` bytes into a
 * 3-byte group: a token base64-encoded inside a longer value is found too.
 */
function base64Core(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  const whole = Math.floor((offset + bytes.length) / 3) * 4;
  return encoded.slice([0, 2, 3][offset], whole);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
