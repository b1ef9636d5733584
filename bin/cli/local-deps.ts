import { join } from 'node:path';
import { makeDirs } from '../../lambdas/adapters/local/files.ts';
import type { CheckParts, EntryChoices } from '../../lambdas/composition/build-check.ts';
import { notificationChannels } from '../../lambdas/composition/channels.ts';
import { localAccountStores } from '../../lambdas/composition/local-stores.ts';
import { DEFAULT_EDS_URL } from '../../lambdas/contract.ts';
import { ConfigError } from '../../lambdas/errors.ts';
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

/** STOPWATT_WEBHOOK_URL when set; an http(s) URL (the same variable the deployed function reads). */
export function webhookUrlFrom(io: CliIo): string | undefined {
  const url = io.env.STOPWATT_WEBHOOK_URL;
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError('STOPWATT_WEBHOOK_URL is not a valid http(s) URL');
  }
  return url;
}

/** A local check: everything in the store directory, the token from STOPWATT_TOKEN, webhook only. */
export async function localCheckParts(io: CliIo, dir: string, entry: EntryChoices): Promise<CheckParts> {
  const token = tokenFrom(io);
  // An unusable store fails the tick before the API is asked anything.
  await makeDirs(dir);
  const stores = localAccountStores({ dir, account: entry.account.name, token });
  return {
    ...entry,
    stores,
    channels: notificationChannels({
      webhookUrl: webhookUrlFrom(io),
      log: stores.notifications,
      clock: entry.clock,
    }),
    edsUrl: io.env.STOPWATT_EDS_URL || DEFAULT_EDS_URL,
  };
}
