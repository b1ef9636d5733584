import { Sns } from '../../lambdas/adapters/aws/sns.ts';
import { createDynamoDbClient, DynamoDbSessionLog } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { SsmCredentialsStore } from '../../lambdas/adapters/ssm/credentials-store.ts';
import { createSsmClient, SsmRulesStore, SsmTokenStore } from '../../lambdas/adapters/ssm/parameters.ts';
import { settingsFromEnv } from '../../lambdas/check/environment.ts';
import type { CheckParts, EntryChoices } from '../../lambdas/composition/build-check.ts';
import { deployedCheckParts } from '../../lambdas/composition/deployed-check.ts';
import { DEFAULT_TTL_DAYS } from '../../lambdas/contract.ts';
import { ConfigError } from '../../lambdas/errors.ts';
import { checkAccountName } from './account-name.ts';
import { cliAwsOptions } from './aws-credentials.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './io.ts';

/**
 * AWS adapters for CLI use from a laptop. Region from `--region` or AWS_REGION; endpoints and
 * credentials come from the standard AWS SDK environment (profiles, AWS_ENDPOINT_URL_*).
 */
export function awsRegion(io: CliIo, flag: string | undefined): string {
  const region = flag ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('no AWS region: pass --region or set AWS_REGION');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new ConfigError(`--region does not look like an AWS region: ${region}`);
  return region;
}

export function parameterStores(options: { region: string; account: string; prefix?: string | undefined }) {
  const client = createSsmClient(cliAwsOptions(options.region));
  // The CLI runs once: no caching across calls is needed, and a put must be read back fresh.
  const account = checkAccountName(options.account);
  const store = { client, account, prefix: options.prefix, cacheTtlMs: 0 };
  return {
    tokens: new SsmTokenStore(store),
    rules: new SsmRulesStore(store),
    credentials: new SsmCredentialsStore(store),
  };
}

export function dynamoSessionLog(options: { region: string; table: string; account: string }) {
  return new DynamoDbSessionLog({
    client: createDynamoDbClient(cliAwsOptions(options.region)),
    tableName: options.table,
    account: options.account,
    ttlDays: DEFAULT_TTL_DAYS,
  });
}

/**
 * `check --table`: the deployed function's parts (same stores, channels, login renewal) with the
 * settings read from the same variable names; STOPWATT_TOKEN, when set, replaces the stored token.
 */
export function tableCheckParts(
  io: CliIo,
  options: { table: string; region: string | undefined },
  entry: EntryChoices,
): CheckParts {
  const region = awsRegion(io, options.region);
  const settings = settingsFromEnv(io.env, options.table);
  const aws = cliAwsOptions(region);
  const clients = {
    dynamo: createDynamoDbClient(aws),
    ssm: createSsmClient(aws),
    sns: settings.topicArn ? new Sns(aws) : undefined,
  };
  const fixedToken = io.env.STOPWATT_TOKEN?.trim() || undefined;
  return deployedCheckParts(clients, settings, { ...entry, fixedToken });
}

/** The SSM stores for `--account` (required) in `--region`, as the `token` and `login` commands use them. */
export function accountParameterStores(
  io: CliIo,
  values: { account?: string | undefined; region?: string | undefined; prefix?: string | undefined },
) {
  if (!values.account) throw new UsageError('--account is required');
  return parameterStores({
    region: awsRegion(io, values.region),
    account: values.account,
    prefix: values.prefix,
  });
}
