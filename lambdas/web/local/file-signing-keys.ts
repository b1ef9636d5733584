import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { readIfExists, writeFileAtomic } from '../../adapters/local/files.ts';
import type { SigningKey, SigningKeys } from '../ports.ts';

const StoredKey = z.strictObject({
  secret: z.string().check(z.minLength(43)),
  generation: z.int().check(z.nonnegative()),
});

/** The signing key in `<dir>/web/signing-key.json` (mode 0600), created on first use. */
export class FileSigningKeys implements SigningKeys {
  readonly #path: string;

  constructor(options: { dir: string }) {
    this.#path = join(options.dir, 'web', 'signing-key.json');
  }

  async current(): Promise<SigningKey> {
    const text = await readIfExists(this.#path);
    if (text !== null) {
      const stored = StoredKey.parse(JSON.parse(text));
      return { secret: Buffer.from(stored.secret, 'base64url'), generation: stored.generation };
    }
    return this.#write(1);
  }

  async revoke(): Promise<SigningKey> {
    const current = await this.current();
    return this.#write(current.generation + 1);
  }

  async #write(generation: number): Promise<SigningKey> {
    const secret = randomBytes(32);
    const stored = { secret: secret.toString('base64url'), generation };
    await writeFileAtomic(this.#path, `${JSON.stringify(stored)}\n`, 0o600);
    return { secret, generation };
  }
}
