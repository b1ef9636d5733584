import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { readIfExists, segment } from '../../adapters/local/files.ts';
import type { ControlChange, ControlLog } from '../ports.ts';

const Entry = z.object({ at: z.coerce.date(), action: z.string(), detail: z.string() });

/** Changes made from the web app, one JSON line each in `<dir>/accounts/<account>/web-changes.jsonl`. */
export class FileControlLog implements ControlLog {
  readonly #path: string;

  constructor(options: { dir: string; account: string }) {
    this.#path = join(options.dir, 'accounts', segment(options.account), 'web-changes.jsonl');
  }

  async record(change: ControlChange): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    await appendFile(this.#path, `${JSON.stringify(change)}\n`);
  }

  async recent(limit: number): Promise<ControlChange[]> {
    const text = (await readIfExists(this.#path)) ?? '';
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    return lines
      .slice(-limit)
      .reverse()
      .flatMap((line) => {
        const parsed = Entry.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      });
  }
}
