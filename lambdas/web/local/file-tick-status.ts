import { join } from 'node:path';
import { readIfExists, segment, writeFileAtomic } from '../../adapters/local/files.ts';
import type { TickStatus, TickStatusStore } from '../ports.ts';
import { TickStatusSchema } from '../tick-status-schema.ts';

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
