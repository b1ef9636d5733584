import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { isParameterNotFound, type Ssm } from '../../adapters/aws/ssm.ts';
import { parameterName } from '../../adapters/ssm/parameters.ts';
import { AwsError, ConfigError, errorMessage, ParameterStoreError } from '../../errors.ts';
import type { SigningKey, SigningKeys } from '../ports.ts';
import { SIGNING_KEY_LEAF } from './names.ts';

const StoredKey = z.strictObject({
  secret: z.string().check(z.minLength(43)),
  generation: z.int().check(z.positive()),
});

export interface SsmSigningKeysOptions {
  readonly client: Ssm;
  /** @default '/stopwatt' */
  readonly prefix?: string | undefined;
  readonly account: string;
  /**
   * Create the key when it does not exist. Only `stopwatt web-link` does (with the user's
   * credentials): the web role may read its key, not write it.
   * @default false
   */
  readonly create?: boolean | undefined;
  /** A read key is reused this long; a revoke reaches warm instances within it. @default 0 */
  readonly cacheTtlMs?: number | undefined;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * The cookie signing key as SecureString `<prefix>/<account>/web/signing-key` holding
 * `{"secret": <32 random bytes, base64url>, "generation": N}`. Its value never appears in an error.
 */
export class SsmSigningKeys implements SigningKeys {
  readonly name: string;
  readonly #options: SsmSigningKeysOptions;
  #cached: { key: SigningKey; at: number } | null = null;

  constructor(options: SsmSigningKeysOptions) {
    this.name = parameterName(options.prefix ?? '/stopwatt', options.account, SIGNING_KEY_LEAF);
    this.#options = options;
  }

  async current(): Promise<SigningKey> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cached;
    if (cached && now - cached.at < (this.#options.cacheTtlMs ?? 0)) return cached.key;
    const key = (await this.#read()) ?? (await this.#createFirst());
    this.#cached = { key, at: now };
    return key;
  }

  /** A new secret one generation up: every cookie signed with the old one is refused. */
  async revoke(): Promise<SigningKey> {
    const previous = await this.#read();
    const key = { secret: randomBytes(32), generation: (previous?.generation ?? 0) + 1 };
    await this.#write(key, true);
    this.#cached = null;
    return key;
  }

  async #createFirst(): Promise<SigningKey> {
    if (this.#options.create !== true) {
      throw new ConfigError(`no signing key in SSM parameter ${this.name}: run 'stopwatt web-link' once`);
    }
    const key = { secret: randomBytes(32), generation: 1 };
    // Not overwriting: when two CLIs race, the first key stays and both read it back.
    if (await this.#write(key, false)) return key;
    const stored = await this.#read();
    if (!stored)
      throw new ParameterStoreError(`the signing key ${this.name} vanished while created`, this.name);
    return stored;
  }

  async #read(): Promise<SigningKey | null> {
    let text: string | undefined;
    try {
      const out = await this.#options.client.getParameter({ Name: this.name, WithDecryption: true });
      text = out.Parameter?.Value;
    } catch (error) {
      if (isParameterNotFound(error)) return null;
      throw new ParameterStoreError(
        `cannot read SSM parameter ${this.name}: ${errorMessage(error)}`,
        this.name,
        {
          cause: error,
        },
      );
    }
    return this.#parse(text);
  }

  #parse(text: string | undefined): SigningKey {
    let json: unknown;
    try {
      json = JSON.parse(text ?? '');
    } catch {
      // JSON.parse messages quote the text: keep the secret out of the error.
      throw new ConfigError(
        `invalid SSM parameter ${this.name}: not JSON (run 'stopwatt web-link --revoke')`,
      );
    }
    const stored = StoredKey.safeParse(json);
    if (!stored.success) {
      throw new ConfigError(
        `invalid SSM parameter ${this.name}: not a signing key (run 'stopwatt web-link --revoke')`,
      );
    }
    return { secret: Buffer.from(stored.data.secret, 'base64url'), generation: stored.data.generation };
  }

  /** False when `overwrite` is off and the parameter already exists. */
  async #write(key: SigningKey, overwrite: boolean): Promise<boolean> {
    const value = JSON.stringify({
      secret: Buffer.from(key.secret).toString('base64url'),
      generation: key.generation,
    });
    try {
      await this.#options.client.putParameter({
        Name: this.name,
        Value: value,
        Type: 'SecureString',
        Overwrite: overwrite,
      });
      return true;
    } catch (error) {
      if (!overwrite && error instanceof AwsError && error.code === 'ParameterAlreadyExists') return false;
      throw new ParameterStoreError(
        `cannot write SSM parameter ${this.name}: ${errorMessage(error)}`,
        this.name,
        {
          cause: error,
        },
      );
    }
  }
}
