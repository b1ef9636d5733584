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
 * With several channels, wrap each one (with its own `channel`) rather than their fan-out: a
 * channel that keeps failing must not make the others send the same event again on every tick.
 */
export class DeduplicatingNotifier implements Notifier {
  readonly #inner: Notifier;
  readonly #log: NotificationLog;
  readonly #now: () => Date;
  readonly #prefix: string;

  constructor(options: {
    inner: Notifier;
    log: NotificationLog;
    now?: () => Date;
    /** Names the channel when several share one log: its keys are stored as `<channel>|<key>`. */
    channel?: string;
  }) {
    this.#inner = options.inner;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
    this.#prefix = options.channel === undefined ? '' : `${options.channel}|`;
  }

  async send(event: NotificationEvent): Promise<void> {
    const key = `${this.#prefix}${event.key}`;
    if (await this.#log.wasSent(key)) return;
    await this.#inner.send(event);
    await this.#log.markSent(key, this.#now());
  }
}
