import { errorMessage, redact, StopwattError } from '../../errors.ts';
import type { NotificationEvent, Notifier } from '../../ports.ts';
import { boundedFetch } from '../http/bounded-fetch.ts';

/** A webhook answers at once; a slow one must not hold the tick. Not retried: the notice log resends. */
const TIMEOUT_MS = 10_000;

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
    const origin = new URL(this.#url).origin;
    try {
      const response = await boundedFetch({
        url: this.#url,
        method: 'POST',
        ...this.#request(event),
        deadline: Date.now() + TIMEOUT_MS,
        label: `POST ${origin}`,
      });
      if (response.status < 200 || response.status >= 300) {
        throw new StopwattError(`HTTP ${response.status} ${response.statusText}`.trim());
      }
    } catch (error) {
      // The URL may carry a secret topic name or key: name only its origin, here and in the reason.
      const reason = redact(errorMessage(error)).replace(URL_IN_TEXT, originOnly);
      throw new StopwattError(`webhook ${origin} failed: ${reason}`);
    }
  }

  #request(event: NotificationEvent): { headers: Record<string, string>; body: string } {
    if (this.#ntfy) {
      return {
        headers: { title: event.subject.replace(/[^\x20-\x7e]/g, ''), tags: event.kind },
        body: event.message,
      };
    }
    return {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: event.kind,
        subject: event.subject,
        message: event.message,
        data: event.data,
        at: this.#now(),
      }),
    };
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
