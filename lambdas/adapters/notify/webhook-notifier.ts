import ky from 'ky';
import { errorMessage, redact, StopwattError } from '../../errors.ts';
import type { NotificationEvent, Notifier } from '../../ports.ts';

/**
 * POSTs notifications to a webhook. An ntfy topic URL (host containing "ntfy") gets ntfy's
 * plain-text format with a Title header; any other URL gets one JSON object:
 * `{ kind, subject, message, data, at }`.
 */
export class WebhookNotifier implements Notifier {
  readonly #url: string;
  readonly #ntfy: boolean;
  readonly #now: () => Date;

  constructor(options: { url: string; now?: () => Date }) {
    this.#url = options.url;
    this.#ntfy = new URL(options.url).hostname.includes('ntfy');
    this.#now = options.now ?? (() => new Date());
  }

  async send(event: NotificationEvent): Promise<void> {
    try {
      if (this.#ntfy) {
        await ky.post(this.#url, {
          body: event.message,
          headers: { title: event.subject.replace(/[^\x20-\x7e]/g, ''), tags: event.kind },
          timeout: 10_000,
          retry: 1,
        });
      } else {
        await ky.post(this.#url, {
          json: {
            kind: event.kind,
            subject: event.subject,
            message: event.message,
            data: event.data,
            at: this.#now(),
          },
          timeout: 10_000,
          retry: 1,
        });
      }
    } catch (error) {
      // The URL may carry a secret topic name or key: name only its origin, here and in the reason
      // (ky's messages quote the full request URL).
      const reason = redact(errorMessage(error)).replace(URL_IN_TEXT, originOnly);
      throw new StopwattError(`webhook ${new URL(this.#url).origin} failed: ${reason}`);
    }
  }
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;

function originOnly(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[url]';
  }
}
