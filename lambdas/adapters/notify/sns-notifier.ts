import { errorMessage, StopwattError } from '../../errors.ts';
import type { NotificationEvent, Notifier } from '../../ports.ts';
import type { Sns } from '../aws/sns.ts';

/** Publishes notifications to an SNS topic (e-mail subscriptions read subject and message). */
export class SnsNotifier implements Notifier {
  readonly #client: Sns;
  readonly #topicArn: string;

  constructor(options: { client: Sns; topicArn: string }) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  async send(event: NotificationEvent): Promise<void> {
    try {
      await this.#client.publish({
        TopicArn: this.#topicArn,
        // SNS subjects: ASCII, at most 100 characters.
        Subject: event.subject.replace(/[^\x20-\x7e]/g, '').slice(0, 100),
        Message: `${event.message}\n\n${JSON.stringify({ kind: event.kind, ...event.data }, null, 2)}`,
        MessageAttributes: { kind: event.kind },
      });
    } catch (error) {
      throw new StopwattError(`cannot publish to ${this.#topicArn}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }
}
