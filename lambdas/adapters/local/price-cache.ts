import { join } from 'node:path';
import { PriceUnavailableError } from '../../errors.ts';
import type { CachedPriceDay, PriceCache } from '../../ports.ts';
import { reviveCachedPriceDay, serializeCachedPriceDay } from '../serialization.ts';
import { readIfExists, segment, writeFileAtomic } from './files.ts';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Cached day-ahead prices in a local directory (the default for CLI runs):
 * `<dir>/prices/<area>/<YYYY-MM-DD>.json`, one JSON object per area and Copenhagen date,
 * written atomically (temp file + rename) so a reader never sees half a file.
 */
export class FilePriceCache implements PriceCache {
  readonly #root: string;

  constructor(options: { dir: string }) {
    this.#root = join(options.dir, 'prices');
  }

  /** The cached day, or null when none. Throws PriceUnavailableError when the file is damaged. */
  async get(area: string, date: string): Promise<CachedPriceDay | null> {
    const file = this.#file(area, date);
    const text = await readIfExists(file);
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PriceUnavailableError(`invalid cached prices in ${file}: not JSON`, { cause: error });
    }
    return reviveCachedPriceDay(json, file);
  }

  async put(day: CachedPriceDay): Promise<void> {
    const record = serializeCachedPriceDay(day);
    await writeFileAtomic(this.#file(day.area, day.date), `${JSON.stringify(record, null, 2)}\n`);
  }

  #file(area: string, date: string): string {
    // The date is a file name: reject anything that is not YYYY-MM-DD rather than escape it.
    if (!DATE_PATTERN.test(date)) throw new RangeError(`invalid price cache date "${date}"`);
    return join(this.#root, segment(area), `${date}.json`);
  }
}
