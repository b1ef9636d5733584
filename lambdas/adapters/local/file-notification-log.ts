import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { NotificationLog } from '../notify/deduplicating-notifier.ts';
import { readIfExists, segment, writeFileAtomic } from './files.ts';

/** Sent notification keys as files under `<dir>/accounts/<account>/notifications/`. */
export class FileNotificationLog implements NotificationLog {
  readonly #dir: string;

  constructor(options: { dir: string; account: string }) {
    this.#dir = join(options.dir, 'accounts', segment(options.account), 'notifications');
  }

  #path(key: string): string {
    return join(this.#dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  async wasSent(key: string): Promise<boolean> {
    return (await readIfExists(this.#path(key))) !== null;
  }

  async markSent(key: string, at: Date): Promise<void> {
    await writeFileAtomic(this.#path(key), `${JSON.stringify({ key, sentAt: at.toISOString() })}\n`);
  }
}
