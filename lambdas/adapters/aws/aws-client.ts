/**
 * The one way stopwatt calls AWS (DynamoDB, SSM, SNS): a signed POST over `fetch`, retried like
 * the SDK's standard mode. The AWS SDK clients bundled their whole service models, every error
 * class and the full credential chain: about 400 KB of the check Lambda and much of its init.
 */
import { AwsError, ConfigError, errorMessage } from '../../errors.ts';
import { boundedFetch } from '../http/bounded-fetch.ts';
import { type AwsCredentials, type CredentialSource, environmentCredentials } from './credentials.ts';
import { signedHeaders } from './signature-v4.ts';

export interface AwsClientOptions {
  /** @default AWS_REGION, then AWS_DEFAULT_REGION */
  readonly region?: string | undefined;
  /** @default the environment's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (Lambda) */
  readonly credentials?: AwsCredentials | CredentialSource | undefined;
  /** @default AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the service's regional endpoint */
  readonly endpoint?: string | undefined;
  /** Calls in total, retries included. @default 5 */
  readonly maxAttempts?: number | undefined;
  /** Each call's bound: a hung connection must not hold a tick. @default 10_000 */
  readonly timeoutMs?: number | undefined;
  /** Where the defaults come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** What differs between the services: their signing name, endpoint variable and error body. */
export interface AwsService {
  /** Signing name and endpoint prefix, e.g. `dynamodb`. */
  readonly name: string;
  /** The `AWS_ENDPOINT_URL_<id>` suffix, e.g. `DYNAMODB`. */
  readonly envId: string;
  /** Reads an error body: AWS's code and message, and the rest of the body. */
  readonly parseError: (text: string) => { code: string; message: string; details: Record<string, unknown> };
}

export interface AwsCall {
  /** For messages, e.g. `DynamoDB GetItem`. */
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The SDK's standard-mode lists: throttling waits longer; these and 5xx are retried. */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkError',
]);
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);
/** Full-jitter exponential backoff, as the SDK (2026 defaults): base 50 ms, 1 s when throttled, at most 20 s. */
const BASE_DELAY_MS = 50;
const THROTTLING_BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 20_000;

export class AwsClient {
  readonly region: string;
  readonly endpoint: URL;
  readonly #service: AwsService;
  readonly #credentials: CredentialSource;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;

  constructor(service: AwsService, options: AwsClientOptions = {}) {
    const env = options.env ?? process.env;
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new ConfigError(`no AWS region for ${service.name}: set AWS_REGION`);
    this.region = region;
    const endpoint =
      options.endpoint ??
      env[`AWS_ENDPOINT_URL_${service.envId}`] ??
      env.AWS_ENDPOINT_URL ??
      `https://${service.name}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
    this.endpoint = new URL(endpoint);
    this.#service = service;
    const credentials = options.credentials ?? environmentCredentials(env);
    this.#credentials = typeof credentials === 'function' ? credentials : () => Promise.resolve(credentials);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The response body of a 2xx answer; throws AwsError once the retries are spent. */
  async call(request: AwsCall): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(request);
      } catch (error) {
        if (!(error instanceof AwsError) || attempt >= this.#maxAttempts || !isRetryable(error)) throw error;
        const base = isThrottling(error) ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
        const delay = Math.floor(Math.random() * Math.min(base * 2 ** (attempt - 1), MAX_DELAY_MS));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async #attempt(request: AwsCall): Promise<string> {
    const credentials = await this.#credentials();
    const headers = signedHeaders(
      { url: this.endpoint, headers: request.headers, body: request.body },
      { service: this.#service.name, region: this.region, credentials, now: new Date() },
    );
    let response: Awaited<ReturnType<typeof boundedFetch>>;
    try {
      response = await boundedFetch({
        url: this.endpoint.href,
        method: 'POST',
        headers,
        body: request.body,
        deadline: Date.now() + this.#timeoutMs,
        label: request.label,
        secrets: [credentials.secretAccessKey, credentials.sessionToken ?? ''],
      });
    } catch (error) {
      throw new AwsError(errorMessage(error), 'NetworkError', null, {}, { cause: error });
    }
    if (response.status >= 200 && response.status < 300) return response.text;
    const { code, message, details } = this.#service.parseError(response.text);
    const known = code || `HTTP ${response.status}`;
    throw new AwsError(message || known, known, response.status, details);
  }
}

function isThrottling(error: AwsError): boolean {
  return error.status === 429 || THROTTLING_CODES.has(error.code);
}

function isRetryable(error: AwsError): boolean {
  return isThrottling(error) || TRANSIENT_CODES.has(error.code) || TRANSIENT_STATUSES.has(error.status ?? 0);
}

/** `__type` of the JSON protocols: `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`. */
export function parseJsonError(text: string): {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): the status stands in for the code.
  }
  const { __type: type, message, Message, ...details } = body;
  const said = message ?? Message;
  return {
    code: typeof type === 'string' ? (type.split('#').pop() ?? '') : '',
    message: typeof said === 'string' ? said : '',
    details,
  };
}
