import { UsageError } from './io.ts';

/**
 * The account-name rule of the deploy config (stopwatt.config.json): the deployed function reads
 * /stopwatt/<name>/ only for such names, so anything else would be written where nothing reads.
 */
export const ACCOUNT_NAME = /^[a-z0-9-]{1,32}$/;

export function checkAccountName(name: string): string {
  if (!ACCOUNT_NAME.test(name)) {
    throw new UsageError(
      `--account must be 1-32 characters of lowercase a-z, 0-9 and - (got "${name}"), like the account names in stopwatt.config.json`,
    );
  }
  return name;
}
