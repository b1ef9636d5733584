import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import {
  DEFAULT_EDS_URL,
  DEFAULT_IDLE_INTERVAL_MINUTES,
  DEFAULT_TTL_DAYS,
  ENV,
  METRIC_NAMESPACE,
  SERVICE_NAME,
  WRITABLE_PARAMETERS,
} from '../lambdas/contract.ts';

/** What the check function reads from its environment (names and defaults from the contract). */
export function checkEnvironment(
  props: {
    readonly table: dynamodb.ITableV2;
    readonly accounts: readonly {
      name: string;
      apiUrl: string;
      priceArea: string;
      horizonSeconds: number;
      idleIntervalMinutes?: number | undefined;
    }[];
    readonly topic?: sns.ITopic | undefined;
    readonly webhookUrl?: string | undefined;
    readonly ttlDays?: number | undefined;
    readonly edsUrl?: string | undefined;
  },
  prefix: string,
): Record<string, string> {
  const accounts = props.accounts.map(({ name, apiUrl, priceArea, horizonSeconds, idleIntervalMinutes }) => ({
    name,
    apiUrl,
    priceArea,
    horizonSeconds,
    idleIntervalMinutes: idleIntervalMinutes ?? DEFAULT_IDLE_INTERVAL_MINUTES,
  }));
  return {
    [ENV.tableName]: props.table.tableName,
    [ENV.parameterPrefix]: prefix,
    [ENV.accounts]: JSON.stringify(accounts),
    [ENV.ttlDays]: String(props.ttlDays ?? DEFAULT_TTL_DAYS),
    [ENV.edsUrl]: props.edsUrl ?? DEFAULT_EDS_URL,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
    ...(props.topic ? { [ENV.topicArn]: props.topic.topicArn } : {}),
    ...(props.webhookUrl === undefined ? {} : { [ENV.webhookUrl]: props.webhookUrl }),
  };
}

/** Least privilege: this log group, the accounts' parameters, the table, the topic. */
export function checkPolicy(options: {
  names: readonly string[];
  prefix: string;
  logGroup: logs.ILogGroup;
  table: dynamodb.ITableV2;
  topic?: sns.ITopic | undefined;
}): iam.PolicyDocument {
  // Pseudo-parameter tokens (not stack.formatArn) keep the ARN identical with or without a stack
  // env, so the cdk-nag acknowledgement in ScheduledCheck names exactly this resource.
  const parameterArn = (name: string) =>
    `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${options.prefix}/${name}`;
  const statements = [
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [options.logGroup.logGroupArn],
    }),
    // Rules, token and credentials of the configured accounts; nothing else under the prefix.
    new iam.PolicyStatement({
      actions: ['ssm:GetParameter'],
      resources: options.names.map((name) => parameterArn(`${name}/*`)),
    }),
    // Writes: a re-login persists the new token (and a rotated refresh token in credentials); a
    // one-session override (`rules set --once`) is bound to its session and cleared in rules.
    new iam.PolicyStatement({
      actions: ['ssm:PutParameter'],
      resources: options.names.flatMap((name) =>
        WRITABLE_PARAMETERS.map((leaf) => parameterArn(`${name}/${leaf}`)),
      ),
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      resources: [options.table.tableArn],
    }),
  ];
  if (options.topic) {
    statements.push(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [options.topic.topicArn] }),
    );
  }
  return new iam.PolicyDocument({ statements });
}
