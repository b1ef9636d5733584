import { systemClock } from '../adapters/system-clock.ts';
import { type AccountCheck, buildCheck } from '../composition/build-check.ts';
import { deployedCheckParts } from '../composition/deployed-check.ts';
import { instanceId } from '../composition/instance-id.ts';
import { parseRules } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { HandlerDeps } from './create-handler.ts';
import { deployedSettings } from './environment.ts';

/** The check for one configured account, built once per cold start. */
export function lambdaAccountCheck(deps: HandlerDeps, name: string): Promise<AccountCheck> {
  const account = deps.env.STOPWATT_ACCOUNTS.find((a) => a.name === name);
  if (!account) throw new ConfigError(`unknown account "${name}": not in STOPWATT_ACCOUNTS`);
  return buildCheck(
    deployedCheckParts(deps, deployedSettings(deps.env), {
      account: { name, apiUrl: account.apiUrl, horizonMs: account.horizonSeconds * 1000 },
      clock: deps.clock ?? systemClock,
      instanceId: instanceId('lambda'),
      // With no stored rules nothing is ended; the account's price area is still the default.
      resolveRules: (stored) => stored ?? parseRules({ priceArea: account.priceArea }),
    }),
  );
}
