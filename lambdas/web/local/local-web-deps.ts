import { FileRulesStore } from '../../adapters/local/file-rules-store.ts';
import { FileSessionLog } from '../../adapters/local/file-session-log.ts';
import type { Rules } from '../../core/rules.ts';
import type { PriceSource } from '../../ports.ts';
import type { TickTrigger, WebDeps } from '../ports.ts';
import { fileAssets } from '../static-assets.ts';
import { FileControlLog } from './file-control-log.ts';
import { FileSignInLinks } from './file-sign-in-links.ts';
import { FileSigningKeys } from './file-signing-keys.ts';
import { FileTickStatus } from './file-tick-status.ts';
import { MemorySignInAttempts } from './memory-sign-in-attempts.ts';

/** The web app's dependencies on the local store, as `stopwatt serve` uses them. */
export function localWebDeps(options: {
  dir: string;
  account: string;
  secureCookies: boolean;
  pricesFor: (rules: Rules) => PriceSource | null;
  now?: () => Date;
  trigger?: TickTrigger;
  appliedRules?: WebDeps['appliedRules'];
}): WebDeps {
  const { dir, account } = options;
  return {
    log: new FileSessionLog({ dir, account }),
    rules: new FileRulesStore({ dir, account }),
    pricesFor: options.pricesFor,
    links: new FileSignInLinks({ dir }),
    keys: new FileSigningKeys({ dir }),
    attempts: new MemorySignInAttempts(),
    ticks: new FileTickStatus({ dir, account }),
    controls: new FileControlLog({ dir, account }),
    trigger: options.trigger,
    appliedRules: options.appliedRules,
    now: options.now ?? (() => new Date()),
    secureCookies: options.secureCookies,
    clientAddress: (c) => {
      const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
        ?.incoming;
      return incoming?.socket?.remoteAddress ?? 'unknown';
    },
    assets: fileAssets(),
  };
}
