import { join } from 'node:path';
import { z } from 'zod';
import { readIfExists, segment, writeFileAtomic } from '../../adapters/local/files.ts';
import type { TickStatus, TickStatusStore } from '../ports.ts';

export const TickStatusSchema = z.object({
  at: z.coerce.date(),
  action: z.string(),
  detail: z.string(),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  tokenExpiresAt: z.coerce.date().nullable(),
});

/** The last tick's status in `<dir>/accounts/<account>/last-tick.json`. */
export class FileTickStatus implements TickStatusStore {
  readonly #path: string;

  constructor(options: { dir: string; account: string }) {
    this.#path = join(options.dir, 'accounts', segment(options.account), 'last-tick.json');
  }

  async get(): Promise<TickStatus | null> {
    const text = await readIfExists(this.#path);
    return text === null ? null : TickStatusSchema.parse(JSON.parse(text));
  }

  async put(status: TickStatus): Promise<void> {
    await writeFileAtomic(this.#path, `${JSON.stringify(status)}\n`);
  }
}
