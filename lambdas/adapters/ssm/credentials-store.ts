import * as z from 'zod/mini';
import { formatZodError } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import { CachedParameter, type SsmStoreOptions } from './parameters.ts';

/** Login data for tenants where stopwatt obtains its own token (password grant). */
export const CredentialsSchema = z.strictObject({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
  refreshToken: z.optional(z.string().check(z.minLength(1))),
});

export type Credentials = z.infer<typeof CredentialsSchema>;

/** Login credentials: SecureString `/stopwatt/<account>/credentials` holding JSON. */
export class SsmCredentialsStore {
  private readonly parameter: CachedParameter;

  constructor(options: SsmStoreOptions) {
    this.parameter = new CachedParameter(options, 'credentials', 'SecureString');
  }

  get parameterName(): string {
    return this.parameter.name;
  }

  /** Whether credentials are stored (login mode), without decrypting them. */
  stored(): Promise<boolean> {
    return this.parameter.present();
  }

  /** Throws ConfigError naming the parameter (never its content) when it is not valid credentials. */
  async get(options: { readonly fresh?: boolean } = {}): Promise<Credentials | null> {
    const text = await this.parameter.get(options.fresh === true);
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
