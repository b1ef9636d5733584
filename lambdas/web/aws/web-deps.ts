import type { DynamoDb } from '../../adapters/aws/dynamodb.ts';
import type { Ssm } from '../../adapters/aws/ssm.ts';
import { DynamoDbPriceCache } from '../../adapters/dynamodb/price-cache.ts';
import { DynamoDbSessionLog } from '../../adapters/dynamodb/session-log.ts';
import { EnergiDataServiceClient } from '../../adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../../adapters/energidataservice/spot-price-source.ts';
import { SsmRulesStore } from '../../adapters/ssm/parameters.ts';
import type { Rules } from '../../core/rules.ts';
import type { PriceSource } from '../../ports.ts';
import type { StaticAsset, WebDeps } from '../ports.ts';
import { DynamoDbControlLog } from './dynamodb-control-log.ts';
import { DynamoDbSignInAttempts } from './dynamodb-sign-in-attempts.ts';
import { DynamoDbSignInLinks } from './dynamodb-sign-in-links.ts';
import { DynamoDbTickStatus } from './dynamodb-tick-status.ts';
import { SsmSigningKeys } from './ssm-signing-keys.ts';

/** The deployed page's settings, from the function environment (see lambda-handler.ts). */
export interface WebSettings {
  readonly account: string;
  readonly tableName: string;
  readonly parameterPrefix: string;
  readonly edsUrl: string;
  readonly ttlDays: number;
}

export interface AwsWebDepsOptions {
  readonly settings: WebSettings;
  readonly ssm: Ssm;
  readonly dynamo: DynamoDb;
  readonly assets: (name: string) => Promise<StaticAsset | null>;
  readonly now?: (() => Date) | undefined;
  /** A revoke reaches a warm instance within this. @default 5_000 */
  readonly keyCacheTtlMs?: number | undefined;
}

/** The web app's ports on AWS: the check's table and rules parameter, and the web's own items. */
export function awsWebDeps(options: AwsWebDepsOptions): WebDeps {
  const { settings, dynamo } = options;
  const now = options.now ?? (() => new Date());
  const table = { client: dynamo, tableName: settings.tableName, account: settings.account };
  const ssm = { client: options.ssm, prefix: settings.parameterPrefix, account: settings.account };
  return {
    log: new DynamoDbSessionLog({ ...table, ttlDays: settings.ttlDays }),
    // Uncached: a change must start from what the check function last wrote.
    rules: new SsmRulesStore({ ...ssm, cacheTtlMs: 0 }),
    pricesFor: spotPrices(options, now),
    links: new DynamoDbSignInLinks(table),
    keys: new SsmSigningKeys({
      ...ssm,
      cacheTtlMs: options.keyCacheTtlMs ?? 5_000,
      now: () => now().getTime(),
    }),
    attempts: new DynamoDbSignInAttempts(table),
    ticks: new DynamoDbTickStatus(table),
    controls: new DynamoDbControlLog({ ...table, ttlDays: settings.ttlDays }),
    now,
    secureCookies: true,
    // Function URL events carry the caller's address; behind no proxy, it cannot be forged.
    clientAddress: (c) => String(c.env?.event?.requestContext?.http?.sourceIp ?? 'unknown'),
    assets: options.assets,
  };
}

/** One spot source per price model, reused across warm requests (its in-memory pacing counts). */
function spotPrices(options: AwsWebDepsOptions, now: () => Date): (rules: Rules) => PriceSource | null {
  const client = new EnergiDataServiceClient({ baseUrl: options.settings.edsUrl });
  const cache = new DynamoDbPriceCache({ client: options.dynamo, tableName: options.settings.tableName });
  let spot: { key: string; source: SpotPriceSource } | null = null;
  return (rules) => {
    if (rules.priceSource !== 'spot') return null;
    const key = JSON.stringify([rules.priceArea, rules.tariff, rules.timezone]);
    if (spot?.key !== key) {
      const source = new SpotPriceSource({
        client,
        cache,
        area: rules.priceArea,
        tariff: rules.tariff,
        timeZone: rules.timezone,
        now,
      });
      spot = { key, source };
    }
    return spot.source;
  };
}
