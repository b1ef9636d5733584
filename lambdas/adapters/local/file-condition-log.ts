import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConditionLog } from '../../ports.ts';
import { readIfExists, segment, writeFileAtomic } from './files.ts';

/** Ongoing conditions as `<dir>/accounts/<account>/conditions/<name>.json` holding `{ since }`. */
export class FileConditionLog implements ConditionLog {
  readonly #dir: string;

  constructor(options: { dir: string; account: string }) {
    this.#dir = join(options.dir, 'accounts', segment(options.account), 'conditions');
  }

  async since(condition: string, now: Date): Promise<Date> {
    const path = join(this.#dir, `${segment(condition)}.json`);
    const text = await readIfExists(path);
    if (text) {
      const since = new Date(String((JSON.parse(text) as { since?: unknown }).since));
      if (!Number.isNaN(since.getTime())) return since;
    }
    await writeFileAtomic(path, `${JSON.stringify({ since: now.toISOString() })}\n`);
    return now;
  }

  async clear(condition: string): Promise<void> {
    await rm(join(this.#dir, `${segment(condition)}.json`), { force: true });
  }
}
