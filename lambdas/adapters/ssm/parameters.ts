import {
  GetParameterCommand,
  ParameterNotFound,
  type ParameterType,
  PutParameterCommand,
  SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { formatZodError, parseRules, parseRulesJson } from '../../config.ts';
import { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE, DEFAULT_PARAMETER_PREFIX } from '../../contract.ts';
import type { Rules } from '../../core/rules.ts';
import { ConfigError, errorMessage, ParameterStoreError } from '../../errors.ts';
import type { RulesStore, TokenStore } from '../../ports.ts';

/**
 * An SSM client for the parameter stores. ThrottlingException and transient 5xx/network errors
 * are retried by the SDK's standard strategy (exponential backoff with jitter) up to
 * `maxAttempts` calls; SSM's GetParameter quota is low (40 TPS by default), so retries matter.
 */
export function createSsmClient(config: SSMClientConfig = {}): SSMClient {
  return new SSMClient({ retryMode: 'standard', maxAttempts: 5, ...config });
}

export interface SsmStoreOptions {
  /** Injected so the handler and tests decide endpoint, region and retries (see createSsmClient). */
  readonly client: SSMClient;
  /** Parameter path prefix. @default '/stopwatt' */
  readonly prefix?: string | undefined;
  readonly account: string;
  /** A read value is reused for at most this long (warm Lambda invocations). @default 60_000 */
  readonly cacheTtlMs?: number | undefined;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** Login data for tenants where stopwatt obtains its own token (password grant). */
export const CredentialsSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
});

export type Credentials = z.infer<typeof CredentialsSchema>;

/** `/stopwatt/<account>/<leaf>`; account names are limited to what SSM allows in a path segment. */
export function parameterName(prefix: string, account: string, leaf: string): string {
  if (!ACCOUNT_NAME_PATTERN.test(account)) {
    throw new ConfigError(`invalid account name for SSM parameters: ${ACCOUNT_NAME_RULE}`);
  }
  const base = prefix.replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9_.-]+)*$/.test(base)) {
    throw new ConfigError(`invalid SSM parameter prefix ${prefix}: expected a path such as /stopwatt`);
  }
  return `${base}/${account}/${leaf}`;
}

interface CacheEntry {
  readonly value: string | null;
  readonly at: number;
}

/** One parameter, read through a short in-memory cache. Values never appear in errors. */
class CachedParameter {
  readonly name: string;
  private cache: CacheEntry | null = null;
  private readonly client: SSMClient;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    options: SsmStoreOptions,
    leaf: string,
    private readonly type: ParameterType,
  ) {
    this.client = options.client;
    this.name = parameterName(options.prefix ?? DEFAULT_PARAMETER_PREFIX, options.account, leaf);
    this.ttlMs = Math.max(0, options.cacheTtlMs ?? 60_000);
    this.now = options.now ?? Date.now;
  }

  /** The value, or null when the parameter does not exist (also cached). `fresh` skips the cache. */
  async get(fresh = false): Promise<string | null> {
    const now = this.now();
    if (!fresh && this.cache && now - this.cache.at < this.ttlMs) return this.cache.value;
    let value: string | null;
    try {
      const out = await this.client.send(
        new GetParameterCommand({ Name: this.name, WithDecryption: this.type === 'SecureString' }),
      );
      value = out.Parameter?.Value ?? null;
      if (value === null) throw new Error('the response has no value');
    } catch (error) {
      if (error instanceof ParameterNotFound) {
        value = null;
      } else {
        throw new ParameterStoreError(
          `cannot read SSM parameter ${this.name}: ${errorMessage(error)}`,
          this.name,
          { cause: error },
        );
      }
    }
    this.cache = { value, at: now };
    return value;
  }

  async put(value: string): Promise<void> {
    try {
      await this.client.send(
        new PutParameterCommand({ Name: this.name, Value: value, Type: this.type, Overwrite: true }),
      );
    } catch (error) {
      throw new ParameterStoreError(
        `cannot write SSM parameter ${this.name}: ${errorMessage(error)}`,
        this.name,
        { cause: error },
      );
    }
    this.cache = { value, at: this.now() };
  }
}

/** The bearer token: SecureString `/stopwatt/<account>/token`. */
export class SsmTokenStore implements TokenStore {
  private readonly parameter: CachedParameter;

  constructor(options: SsmStoreOptions) {
    this.parameter = new CachedParameter(options, 'token', 'SecureString');
  }

  get parameterName(): string {
    return this.parameter.name;
  }

  get(): Promise<string | null> {
    return this.parameter.get();
  }

  async put(token: string): Promise<void> {
    if (token.length === 0) {
      throw new ConfigError(`refusing to store an empty token in ${this.parameter.name}`);
    }
    await this.parameter.put(token);
  }
}

/** Stop rules: String parameter `/stopwatt/<account>/rules` holding JSON, validated on every read. */
export class SsmRulesStore implements RulesStore {
  private readonly parameter: CachedParameter;

  constructor(options: SsmStoreOptions) {
    this.parameter = new CachedParameter(options, 'rules', 'String');
  }

  get parameterName(): string {
    return this.parameter.name;
  }

  /** Throws ConfigError naming the parameter when the stored JSON is not valid rules. */
  async get(options: { readonly fresh?: boolean } = {}): Promise<Rules | null> {
    const text = await this.parameter.get(options.fresh === true);
    return text === null ? null : parseRulesJson(text, `SSM parameter ${this.parameter.name}`);
  }

  async put(rules: Rules): Promise<void> {
    // Validate before writing so the stored parameter is always readable.
    parseRules(rules, `rules for ${this.parameter.name}`);
    await this.parameter.put(JSON.stringify(rules));
  }
}

/** Login credentials: SecureString `/stopwatt/<account>/credentials` holding JSON. */
export class SsmCredentialsStore {
  private readonly parameter: CachedParameter;

  constructor(options: SsmStoreOptions) {
    this.parameter = new CachedParameter(options, 'credentials', 'SecureString');
  }

  get parameterName(): string {
    return this.parameter.name;
  }

  /** Throws ConfigError naming the parameter (never its content) when it is not valid credentials. */
  async get(): Promise<Credentials | null> {
    const text = await this.parameter.get();
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // JSON.parse messages quote the text: keep the secret out of the error.
      throw new ConfigError(`invalid SSM parameter ${this.parameter.name}: not JSON`);
    }
    return this.validate(json);
  }

  async put(credentials: Credentials): Promise<void> {
    const valid = this.validate(credentials);
    await this.parameter.put(JSON.stringify(valid));
  }

  private validate(value: unknown): Credentials {
    const result = CredentialsSchema.safeParse(value);
    if (!result.success) {
      throw new ConfigError(`invalid SSM parameter ${this.parameter.name}: ${formatZodError(result.error)}`);
    }
    return result.data;
  }
}
