import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../../adapters/local/files.ts';
import type { SignInLinks } from '../ports.ts';

/**
 * Sign-in links as `<dir>/web/links/<hash>.json` holding the expiry. Consuming renames the file
 * away first: `rename` succeeds for exactly one of several concurrent callers.
 */
export class FileSignInLinks implements SignInLinks {
  readonly #dir: string;

  constructor(options: { dir: string }) {
    this.#dir = join(options.dir, 'web', 'links');
  }

  async create(nonceHash: string, expiresAt: Date): Promise<void> {
    await writeFileAtomic(
      this.#path(nonceHash),
      `${JSON.stringify({ expiresAt: expiresAt.toISOString() })}\n`,
      0o600,
    );
  }

  async consume(nonceHash: string, now: Date): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(nonceHash)) return false;
    const taken = `${this.#path(nonceHash)}.${process.pid}.${now.getTime()}.used`;
    try {
      await rename(this.#path(nonceHash), taken);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      const text = await readIfExists(taken);
      const expiresAt = new Date(String((JSON.parse(text ?? '{}') as { expiresAt?: unknown }).expiresAt));
      return now.getTime() < expiresAt.getTime();
    } finally {
      await rm(taken, { force: true });
    }
  }

  #path(nonceHash: string): string {
    return join(this.#dir, `${nonceHash}.json`);
  }
}
