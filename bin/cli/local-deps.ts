import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { FileNotificationLog } from '../../lambdas/adapters/local/file-notification-log.ts';
import { FileRulesStore } from '../../lambdas/adapters/local/file-rules-store.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { readIfExists, writeFileAtomic } from '../../lambdas/adapters/local/files.ts';
import { DeduplicatingNotifier } from '../../lambdas/adapters/notify/deduplicating-notifier.ts';
import { WebhookNotifier } from '../../lambdas/adapters/notify/webhook-notifier.ts';
import { ConfigError } from '../../lambdas/errors.ts';
import type { Clock, Notifier } from '../../lambdas/ports.ts';
import type { CliIo } from './io.ts';

export const DEFAULT_ACCOUNT = 'local';

export function storeDir(io: CliIo, flag?: string): string {
  return flag ?? io.env.STOPWATT_STORE ?? join(process.cwd(), '.stopwatt');
}

/** The tenant root from `--api-url` or `STOPWATT_API_URL`; https only, except on loopback. */
export function apiUrlFrom(io: CliIo, flag?: string): string {
  const raw = flag ?? io.env.STOPWATT_API_URL;
  if (!raw) {
    throw new ConfigError(
      'no charging API configured: set STOPWATT_API_URL (e.g. https://drivee.eu.charge.ampeco.tech) or pass --api-url',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`API URL is not a valid URL: ${raw}`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(
      `API URL must use https (got ${url.protocol}//${url.host}): the token would travel in clear`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

export function tokenFrom(io: CliIo): string {
  const token = io.env.STOPWATT_TOKEN?.trim();
  if (!token) {
    throw new ConfigError(
      'no access token: set STOPWATT_TOKEN to the bearer token of your charging app account',
    );
  }
  return token;
}

/** A random 16-hex device id, created once per local store (the app sends one per install). */
export async function localDeviceId(dir: string): Promise<string> {
  const path = join(dir, 'device-id');
  const existing = (await readIfExists(path))?.trim();
  if (existing && /^[0-9a-f]{16}$/.test(existing)) return existing;
  const id = randomBytes(8).toString('hex');
  await writeFileAtomic(path, `${id}\n`);
  return id;
}

export async function localAdapters(options: {
  dir: string;
  account: string;
  apiUrl: string;
  token: string;
}) {
  const deviceId = await localDeviceId(options.dir);
  const api = new AmpecoClient({
    apiUrl: options.apiUrl,
    deviceId,
    auth: {
      token: async () => options.token,
      fixHint: 'get a new token from the app and set STOPWATT_TOKEN',
    },
  });
  return {
    api,
    log: new FileSessionLog({ dir: options.dir, account: options.account }),
    rulesStore: new FileRulesStore({ dir: options.dir, account: options.account }),
  };
}

/** Webhook notifications for local runs (STOPWATT_WEBHOOK_URL), each event sent once per store. */
export function localNotifier(io: CliIo, dir: string, account: string, clock: Clock): Notifier | undefined {
  const url = io.env.STOPWATT_WEBHOOK_URL;
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError('STOPWATT_WEBHOOK_URL is not a valid http(s) URL');
  }
  return new DeduplicatingNotifier({
    inner: new WebhookNotifier({ url, now: () => clock.now() }),
    log: new FileNotificationLog({ dir, account }),
    now: () => clock.now(),
  });
}
