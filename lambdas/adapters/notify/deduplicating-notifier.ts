import type { NotificationEvent, Notifier } from '../../ports.ts';

/** Remembers which notification keys were sent (local file or DynamoDB). */
export interface NotificationLog {
  /** True when `key` was already sent. */
  wasSent(key: string): Promise<boolean>;
  markSent(key: string, at: Date): Promise<void>;
}

/**
 * Sends each event key once. The key is marked only after a successful send, so a failed
 * channel is retried on a later tick; two overlapping ticks may at worst both send (harmless).
 */
export class DeduplicatingNotifier implements Notifier {
  readonly #inner: Notifier;
  readonly #log: NotificationLog;
  readonly #now: () => Date;

  constructor(options: { inner: Notifier; log: NotificationLog; now?: () => Date }) {
    this.#inner = options.inner;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
  }

  async send(event: NotificationEvent): Promise<void> {
    if (await this.#log.wasSent(event.key)) return;
    await this.#inner.send(event);
    await this.#log.markSent(event.key, this.#now());
  }
}
