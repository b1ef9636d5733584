import { FileConditionLog } from '../adapters/local/file-condition-log.ts';
import { FileNotificationLog } from '../adapters/local/file-notification-log.ts';
import { FileRulesStore } from '../adapters/local/file-rules-store.ts';
import { FileSessionLog } from '../adapters/local/file-session-log.ts';
import { FilePriceCache } from '../adapters/local/price-cache.ts';
import type { AccountStores } from './account-stores.ts';
import { fixedToken } from './fixed-token.ts';

/** Local runs: everything in the store directory; the token comes from the environment. */
export function localAccountStores(options: { dir: string; account: string; token: string }): AccountStores {
  const { dir, account } = options;
  const files = `files:${dir}/accounts/${account}`;
  return {
    log: new FileSessionLog({ dir, account }),
    conditions: new FileConditionLog({ dir, account }),
    notifications: new FileNotificationLog({ dir, account }),
    priceCache: new FilePriceCache({ dir }),
    rules: new FileRulesStore({ dir, account }),
    tokens: fixedToken(options.token),
    credentials: null,
    tokenSource: 'env',
    where: {
      log: files,
      conditions: files,
      notifications: files,
      priceCache: `files:${dir}`,
      rules: files,
      tokens: 'environment',
      credentials: 'none',
    },
  };
}
