import { STOPWATT_VERSION } from '../../version.ts';

/**
 * The fixed header set, as the official app sends it except for the user agent: stopwatt names
 * itself there rather than pose as the vendor's app. The app version headers stay, since they
 * select the response shapes; `If-Modified-Since` is never sent (a 304 would break parsing).
 */
export const APP_VERSION = '2.126.0';

export function appHeaders(deviceId: string): Record<string, string> {
  return {
    accept: 'application/json, text/plain, */*',
    'accept-language': 'da-DK',
    'x-device-id': deviceId,
    'x-app-version': APP_VERSION,
    'x-internal-app-version': APP_VERSION,
    'user-agent': `stopwatt/${STOPWATT_VERSION}`,
  };
}

/** A stable 16-hex-character device id derived from a seed (account name, install id). */
export async function deviceIdFrom(seed: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`stopwatt:${seed}`));
  return Buffer.from(digest).toString('hex').slice(0, 16);
}
