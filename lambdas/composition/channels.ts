import { DeduplicatingNotifier, type NotificationLog } from '../adapters/notify/deduplicating-notifier.ts';
import { FanOutNotifier } from '../adapters/notify/fan-out-notifier.ts';
import { WebhookNotifier } from '../adapters/notify/webhook-notifier.ts';
import type { Clock, Notifier } from '../ports.ts';

export interface ChannelOptions {
  /** The SNS topic's notifier (built by the AWS side, so local runs never load the SDK). */
  readonly sns?: Notifier | undefined;
  readonly webhookUrl?: string | undefined;
  readonly log: NotificationLog;
  readonly clock: Clock;
}

export interface Channels {
  /** The fan-out over every channel; undefined when none is configured. */
  readonly notifier: Notifier | undefined;
  readonly names: readonly string[];
}

/** The configured channels, each deduplicated on its own in the account's notification log. */
export function notificationChannels(options: ChannelOptions): Channels {
  const now = () => options.clock.now();
  // Per channel: a webhook that keeps failing must not repeat every e-mail each tick.
  const dedup = (inner: Notifier, channel: string): Notifier =>
    new DeduplicatingNotifier({ inner, log: options.log, channel, now });
  const channels = new Map<string, Notifier>();
  if (options.sns) channels.set('sns', dedup(options.sns, 'sns'));
  if (options.webhookUrl)
    channels.set('webhook', dedup(new WebhookNotifier({ url: options.webhookUrl, now }), 'webhook'));
  return {
    notifier: channels.size > 0 ? new FanOutNotifier([...channels.values()]) : undefined,
    names: [...channels.keys()],
  };
}
