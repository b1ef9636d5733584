import type { DynamoDb } from '../adapters/aws/dynamodb.ts';
import type { Ssm } from '../adapters/aws/ssm.ts';
import { DynamoDbConditionLog } from '../adapters/dynamodb/condition-log.ts';
import { DynamoDbNotificationLog } from '../adapters/dynamodb/notification-log.ts';
import { DynamoDbPriceCache } from '../adapters/dynamodb/price-cache.ts';
import { DynamoDbSessionLog } from '../adapters/dynamodb/session-log.ts';
import { SsmCredentialsStore } from '../adapters/ssm/credentials-store.ts';
import { SsmRulesStore, SsmTokenStore } from '../adapters/ssm/parameters.ts';
import type { AccountStores } from './account-stores.ts';
import { fixedToken } from './fixed-token.ts';

export interface AwsStoreOptions {
  readonly dynamo: DynamoDb;
  readonly ssm: Ssm;
  readonly tableName: string;
  readonly parameterPrefix: string;
  readonly ttlDays: number;
  readonly account: string;
  /** A token given from outside (the CLI's STOPWATT_TOKEN): used as is, no login renewal. */
  readonly fixedToken?: string | undefined;
  /** Epoch milliseconds, for the parameter caches (the entry's clock). */
  readonly now: () => number;
}

/**
 * How long the stores keep what they read from SSM, for as long as they live: a warm function's
 * cold start to its end, or one CLI run. Rules and versions are checked each minute; the
 * SecureStrings (token, credentials) are decrypted again after an hour, or at once after a 401.
 */
export const PARAMETER_CACHE = { cacheTtlMs: 60_000, decryptedMaxAgeMs: 3_600_000 } as const;

/** The deployed layout: one DynamoDB table for logs and prices, SSM for rules, token and login. */
export function awsAccountStores(options: AwsStoreOptions): AccountStores {
  const { dynamo: client, tableName, account } = options;
  const ssm = {
    client: options.ssm,
    prefix: options.parameterPrefix,
    account,
    now: options.now,
    ...PARAMETER_CACHE,
  };
  const rules = new SsmRulesStore(ssm);
  const stored = options.fixedToken === undefined;
  const tokenStore = new SsmTokenStore(ssm);
  const credentials = stored ? new SsmCredentialsStore(ssm) : null;
  const table = `dynamodb:${tableName}/${account}`;
  return {
    log: new DynamoDbSessionLog({ client, tableName, account, ttlDays: options.ttlDays }),
    conditions: new DynamoDbConditionLog({ client, tableName, account }),
    notifications: new DynamoDbNotificationLog({ client, tableName, account }),
    priceCache: new DynamoDbPriceCache({ client, tableName }),
    rules,
    tokens: options.fixedToken === undefined ? tokenStore : fixedToken(options.fixedToken),
    credentials,
    tokenSource: stored ? 'ssm' : 'env',
    where: {
      log: table,
      conditions: table,
      notifications: table,
      priceCache: `dynamodb:${tableName}`,
      rules: `ssm:${rules.parameterName}`,
      tokens: stored ? `ssm:${tokenStore.parameterName}` : 'environment',
      credentials: credentials ? `ssm:${credentials.parameterName}` : 'none',
    },
  };
}
