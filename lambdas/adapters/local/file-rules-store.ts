import { join } from 'node:path';
import { parseRulesJson } from '../../config.ts';
import type { Rules } from '../../core/rules.ts';
import type { RulesStore } from '../../ports.ts';
import { readIfExists, segment, writeFileAtomic } from './files.ts';

/** Rules as JSON in `<dir>/accounts/<account>/rules.json`, validated on every read. */
export class FileRulesStore implements RulesStore {
  readonly #path: string;

  constructor(options: { dir: string; account: string }) {
    this.#path = join(options.dir, 'accounts', segment(options.account), 'rules.json');
  }

  get path(): string {
    return this.#path;
  }

  async get(): Promise<Rules | null> {
    const text = await readIfExists(this.#path);
    return text === null ? null : parseRulesJson(text, `rules file ${this.#path}`);
  }

  async put(rules: Rules): Promise<void> {
    await writeFileAtomic(this.#path, `${JSON.stringify(rules, null, 2)}\n`);
  }
}
