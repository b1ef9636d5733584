import { parseRules, parseRulesJson } from '../../config.ts';
import { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE, DEFAULT_PARAMETER_PREFIX } from '../../contract.ts';
import type { Rules } from '../../core/rules.ts';
import { ConfigError, errorMessage, ParameterStoreError } from '../../errors.ts';
import type { RulesStore, TokenStore } from '../../ports.ts';
import type { AwsClientOptions } from '../aws/aws-client.ts';
import { isParameterNotFound, type Parameter, type ParameterType, Ssm } from '../aws/ssm.ts';
import { ParameterCache, type ParameterCachePolicy, type ParameterReading } from './parameter-cache.ts';

/**
 * An SSM client for the parameter stores. ThrottlingException and transient 5xx/network errors
 * are retried as the SDK's standard mode does (exponential backoff with jitter) up to
 * `maxAttempts` calls; SSM's GetParameter quota is low (40 TPS by default), so retries matter.
 */
export function createSsmClient(options: AwsClientOptions = {}): Ssm {
  return new Ssm({ maxAttempts: 5, ...options });
}

export interface SsmStoreOptions {
  /** Injected so the handler and tests decide endpoint, region and retries (see createSsmClient). */
  readonly client: Ssm;
  /** Parameter path prefix. @default '/stopwatt' */
  readonly prefix?: string | undefined;
  readonly account: string;
  /**
   * A read value is used without asking SSM for at most this long (warm Lambda invocations): a
   * change is seen after this at most. @default 60_000
   */
  readonly cacheTtlMs?: number | undefined;
  /**
   * SecureStrings only: a decrypted value is kept up to this long while the parameter's version is
   * unchanged, checked every `cacheTtlMs` by a read without decryption (no KMS Decrypt).
   * @default cacheTtlMs (no version checks: every refresh decrypts)
   */
  readonly decryptedMaxAgeMs?: number | undefined;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
}

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

/** How long a store built with `options` keeps a parameter of `type` (see ParameterCache). */
export function parameterCachePolicy(
  options: Pick<SsmStoreOptions, 'cacheTtlMs' | 'decryptedMaxAgeMs'>,
  type: ParameterType,
): ParameterCachePolicy {
  const checkMs = Math.max(0, options.cacheTtlMs ?? 60_000);
  // A String's version check costs as much as reading it: only SecureStrings keep a value longer.
  const maxAgeMs = type === 'SecureString' ? (options.decryptedMaxAgeMs ?? checkMs) : checkMs;
  return { checkMs, maxAgeMs };
}

/** One parameter, read through an in-memory cache (see ParameterCache). Values never appear in errors. */
export class CachedParameter {
  readonly name: string;
  private readonly client: Ssm;
  private readonly cache: ParameterCache;

  constructor(
    options: SsmStoreOptions,
    leaf: string,
    private readonly type: ParameterType,
  ) {
    this.client = options.client;
    this.name = parameterName(options.prefix ?? DEFAULT_PARAMETER_PREFIX, options.account, leaf);
    this.cache = new ParameterCache(
      { read: () => this.read(), version: () => this.version() },
      parameterCachePolicy(options, type),
      options.now ?? Date.now,
    );
  }

  /** The value, or null when the parameter does not exist (also cached). `fresh` skips the cache. */
  get(fresh = false): Promise<string | null> {
    return this.cache.get(fresh);
  }

  /** Whether the parameter exists; never decrypts it. */
  present(): Promise<boolean> {
    return this.cache.present();
  }

  async put(value: string): Promise<void> {
    let version: number | null;
    try {
      const out = await this.client.putParameter({
        Name: this.name,
        Value: value,
        Type: this.type,
        Overwrite: true,
      });
      version = out.Version ?? null;
    } catch (error) {
      throw new ParameterStoreError(
        `cannot write SSM parameter ${this.name}: ${errorMessage(error)}`,
        this.name,
        { cause: error },
      );
    }
    this.cache.wrote(value, version);
  }

  /** A SecureString is decrypted (KMS); anything else is read as is. */
  private async read(): Promise<ParameterReading> {
    const parameter = await this.getParameter(this.type === 'SecureString');
    if (parameter === null) return { value: null, version: null };
    if (parameter.Value === undefined) {
      throw this.readError(new Error('the response has no value'));
    }
    return { value: parameter.Value, version: parameter.Version ?? null };
  }

  private async version(): Promise<number | null> {
    const parameter = await this.getParameter(false);
    return parameter === null ? null : (parameter.Version ?? null);
  }

  /** Without decryption, WithDecryption is left out of the request altogether (its default is false). */
  private async getParameter(decrypt: boolean): Promise<Parameter | null> {
    try {
      const out = await this.client.getParameter(
        decrypt ? { Name: this.name, WithDecryption: true } : { Name: this.name },
      );
      if (!out.Parameter) throw new Error('the response has no parameter');
      return out.Parameter;
    } catch (error) {
      if (isParameterNotFound(error)) return null;
      throw this.readError(error);
    }
  }

  private readError(error: unknown): ParameterStoreError {
    return new ParameterStoreError(
      `cannot read SSM parameter ${this.name}: ${errorMessage(error)}`,
      this.name,
      {
        cause: error,
      },
    );
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

  get(options: { readonly fresh?: boolean } = {}): Promise<string | null> {
    return this.parameter.get(options.fresh === true);
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
