import { errorMessage } from '../../errors.ts';
import type { NotificationEvent, Notifier } from '../../ports.ts';

/** Sends to every notifier; one failing channel does not stop the others, but is reported. */
export class FanOutNotifier implements Notifier {
  readonly #targets: readonly Notifier[];

  constructor(targets: readonly Notifier[]) {
    this.#targets = targets;
  }

  async send(event: NotificationEvent): Promise<void> {
    const results = await Promise.allSettled(this.#targets.map((t) => t.send(event)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new AggregateError(
        failed.map((f) => f.reason),
        // The reasons are part of the message: callers log only the message.
        `${failed.length} of ${results.length} notification channels failed: ${failed
          .map((f) => errorMessage(f.reason))
          .join('; ')}`,
      );
    }
  }
}
