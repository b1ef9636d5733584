import { DynamoDbReadCadence } from '../adapters/dynamodb/read-cadence.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { type AccountCheck, buildCheck, type CheckParts } from '../composition/build-check.ts';
import type { CadenceSettings } from '../composition/cadence.ts';
import { deployedCheckParts } from '../composition/deployed-check.ts';
import { instanceId } from '../composition/instance-id.ts';
import { parseRules } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ReadCadence } from '../ports.ts';
import { DynamoDbTickStatus } from '../web/aws/dynamodb-tick-status.ts';
import type { TickStatusStore } from '../web/ports.ts';
import type { HandlerDeps } from './create-handler.ts';
import { deployedSettings } from './environment.ts';

/** Half the schedule's minute: a tick a little early still reads when the idle read is due. */
const TICK_EARLY_MS = 30_000;

/** The check for one configured account, built once per cold start. */
export function lambdaAccountCheck(deps: HandlerDeps, name: string): Promise<AccountCheck> {
  return buildCheck(lambdaCheckParts(deps, name));
}

/** The scheduled check and its read cadence (the adaptive idle interval). */
export async function scheduledAccountCheck(deps: HandlerDeps, name: string): Promise<ScheduledCheck> {
  const parts = lambdaCheckParts(deps, name);
  const account = accountConfig(deps, name);
  return {
    check: await buildCheck(parts),
    cadence: new DynamoDbReadCadence({
      client: deps.dynamo,
      tableName: deps.env.STOPWATT_TABLE_NAME,
      account: name,
    }),
    cadenceSettings: { idleIntervalMs: account.idleIntervalMinutes * 60_000, earlyMs: TICK_EARLY_MS },
    // The phone page's "last tick": written by every tick, whether or not the page is deployed.
    ticks: new DynamoDbTickStatus({
      client: deps.dynamo,
      tableName: deps.env.STOPWATT_TABLE_NAME,
      account: name,
    }),
  };
}

export interface ScheduledCheck {
  readonly check: AccountCheck;
  readonly cadence: ReadCadence;
  readonly cadenceSettings: CadenceSettings;
  readonly ticks: TickStatusStore;
}

function accountConfig(deps: HandlerDeps, name: string) {
  const account = deps.env.STOPWATT_ACCOUNTS.find((a) => a.name === name);
  if (!account) throw new ConfigError(`unknown account "${name}": not in STOPWATT_ACCOUNTS`);
  return account;
}

function lambdaCheckParts(deps: HandlerDeps, name: string): CheckParts {
  const account = accountConfig(deps, name);
  return deployedCheckParts(deps, deployedSettings(deps.env), {
    account: {
      name,
      apiUrl: account.apiUrl,
      horizonMs: account.horizonSeconds * 1000,
      followStops: deps.followStops ?? true,
    },
    clock: deps.clock ?? systemClock,
    instanceId: instanceId('lambda'),
    // With no stored rules nothing is ended; the account's price area is still the default.
    resolveRules: (stored) => stored ?? parseRules({ priceArea: account.priceArea }),
  });
}
