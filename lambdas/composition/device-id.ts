import { deviceIdFrom } from '../adapters/ampeco/headers.ts';

/**
 * The `x-device-id` for an account on a tenant: the same wherever the account is checked from
 * (the deployed function, `check --table`, a local run), so the operator sees one device.
 */
export function accountDeviceId(account: string, apiUrl: string): Promise<string> {
  return deviceIdFrom(`${account}@${apiUrl.replace(/\/+$/, '')}`);
}
