import path from 'node:path';
import { Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export const DEFAULT_ENTRY = path.join(REPO_ROOT, 'lambdas/check/handler.ts');
export const DEFAULT_PARAMETER_PREFIX = '/stopwatt';
export const DEFAULT_EDS_URL = 'https://api.energidataservice.dk';

/** Parameters the function writes under `<prefix>/<account>/`; it only reads the others. */
export const WRITABLE_PARAMETERS = ['token', 'credentials', 'rules'] as const;

export const DEFAULT_TTL_DAYS = 90;

/** Lambda's hard limit; the function runs for one horizon plus this margin. */
const MAX_TIMEOUT_SECONDS = 900;
const TIMEOUT_MARGIN_SECONDS = 60;

/** One operator login that gets its own schedule. */
export interface ScheduledAccount {
  /** Account name: the SSM path segment and the `account` in the schedule's input. */
  readonly name: string;
  /** Tenant root of the AMPECO API. */
  readonly apiUrl: string;
  /** Energi Data Service price area. */
  readonly priceArea: 'DK1' | 'DK2';
  /** EventBridge Scheduler expression, e.g. `rate(1 minute)`. */
  readonly schedule: string;
  /** Seconds until the next tick: how long one tick may wait in-process for a timed stop. */
  readonly horizonSeconds: number;
}

export interface ScheduledCheckProps {
  /**
   * The check handler's TypeScript entry file.
   * @default - `lambdas/check/handler.ts` in the repository root
   */
  readonly entry?: string;
  /**
   * Accounts to check; each gets one schedule. At least one.
   * @default - none: required
   */
  readonly accounts: readonly ScheduledAccount[];
  /**
   * The session log table (see SessionTable).
   * @default - none: required
   */
  readonly table: dynamodb.ITableV2;
  /**
   * SSM path prefix; each account reads `<prefix>/<name>/*` and writes its token and credentials there.
   * @default '/stopwatt'
   */
  readonly parameterPrefix?: string;
  /**
   * Topic the function publishes stop notifications to.
   * @default - no SNS notifications (no `STOPWATT_TOPIC_ARN`, no `sns:Publish`)
   */
  readonly topic?: sns.ITopic;
  /**
   * https URL the function POSTs stop notifications to.
   * @default - no webhook
   */
  readonly webhookUrl?: string;
  /**
   * How long CloudWatch keeps the function log.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logGroupRetention?: logs.RetentionDays;
  /**
   * Days a session log item lives before DynamoDB's TTL removes it (`STOPWATT_TTL_DAYS`).
   * @default 90
   */
  readonly ttlDays?: number;
  /**
   * Energi Data Service base URL (`STOPWATT_EDS_URL`).
   * @default 'https://api.energidataservice.dk'
   */
  readonly edsUrl?: string;
}

/**
 * One check function and one EventBridge Scheduler schedule per account, with a shared dead-letter
 * queue for invocations Scheduler could not deliver. The function holds no business logic here:
 * it gets its configuration through environment variables and least-privilege access to the
 * account's SSM path, the table and the topic.
 */
export class ScheduledCheck extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly schedules: readonly scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: ScheduledCheckProps) {
    super(scope, id);
    const prefix = props.parameterPrefix ?? DEFAULT_PARAMETER_PREFIX;
    validateProps(props, prefix);
    const stack = Stack.of(this);
    const horizonSeconds = Math.max(...props.accounts.map((account) => account.horizonSeconds));
    const timeoutSeconds = horizonSeconds + TIMEOUT_MARGIN_SECONDS;
    if (timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw new Error(
        `ScheduledCheck: the longest horizon (${horizonSeconds} s) plus ${TIMEOUT_MARGIN_SECONDS} s exceeds Lambda's ${MAX_TIMEOUT_SECONDS} s timeout`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logGroupRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    // Pseudo-parameter tokens (not stack.formatArn) keep the ARN identical with or without a stack
    // env, so the cdk-nag acknowledgement below names exactly this resource.
    const parameterArn = (name: string) =>
      `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${prefix}/${name}`;
    const names = props.accounts.map((account) => account.name);
    const statements = [
      // Our own role instead of AWSLambdaBasicExecutionRole: write to this log group only.
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      // Rules, token and credentials of the configured accounts; nothing else under the prefix.
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: names.map((name) => parameterArn(`${name}/*`)),
      }),
      // Writes: a re-login persists the new token (and a rotated refresh token in credentials); a
      // one-session override (`rules set --once`) is bound to its session and cleared in rules.
      new iam.PolicyStatement({
        actions: ['ssm:PutParameter'],
        resources: names.flatMap((name) =>
          WRITABLE_PARAMETERS.map((leaf) => parameterArn(`${name}/${leaf}`)),
        ),
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [props.table.tableArn],
      }),
    ];
    if (props.topic) {
      statements.push(
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
      );
    }
    this.role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'stopwatt check function',
      // Inline, so the policy exists before the function does (no first-invocation race).
      inlinePolicies: { check: new iam.PolicyDocument({ statements }) },
    });
    for (const name of names) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${prefix}/${name}/*]`,
        reason: `The check reads the parameters of account "${name}" (rules, token, credentials) and nothing outside ${prefix}/${name}/; the CLI owns the names below that path. Writes are listed by name.`,
      });
    }

    const environment: Record<string, string> = {
      STOPWATT_TABLE_NAME: props.table.tableName,
      STOPWATT_PARAMETER_PREFIX: prefix,
      STOPWATT_ACCOUNTS: JSON.stringify(
        props.accounts.map(({ name, apiUrl, priceArea, horizonSeconds }) => ({
          name,
          apiUrl,
          priceArea,
          horizonSeconds,
        })),
      ),
      STOPWATT_TTL_DAYS: String(props.ttlDays ?? DEFAULT_TTL_DAYS),
      STOPWATT_EDS_URL: props.edsUrl ?? DEFAULT_EDS_URL,
      POWERTOOLS_SERVICE_NAME: 'stopwatt',
      POWERTOOLS_METRICS_NAMESPACE: 'Stopwatt',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (props.topic) environment.STOPWATT_TOPIC_ARN = props.topic.topicArn;
    if (props.webhookUrl !== undefined) environment.STOPWATT_WEBHOOK_URL = props.webhookUrl;

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? DEFAULT_ENTRY,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: 'stopwatt: one check tick for the account named in the event',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      environment,
      // Scheduler invokes asynchronously. A failed tick is not retried by Lambda: the next scheduled
      // tick is the retry, and the Errors alarm reports the failure. An event older than one
      // interval is superseded by a newer tick, so Lambda drops it instead of running it late.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, Math.min(...props.accounts.map((a) => a.horizonSeconds)))),
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // ESM output still meets CommonJS dependencies that call require().
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Bundle the AWS SDK too, so the deployed code runs the versions pinned in package-lock.json.
        externalModules: [],
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and the toolchain is verified against it; move to a newer runtime deliberately, with the bundle target.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the Scheduler targets; cdk-nag only recognises DLQs named in an SQS RedrivePolicy.',
    });

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler invokes the stopwatt check function',
      // Confused-deputy guard: only schedules of this account's default group may assume it.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });

    // LambdaInvoke grants through Function.grantInvoke, which adds `<function ARN>:*` (versions and
    // aliases) next to the function ARN. Still this one function only.
    const cfnFunction = this.function.node.defaultChild;
    if (!(cfnFunction instanceof lambda.CfnFunction)) throw new Error('ScheduledCheck: no CfnFunction');
    const functionLogicalId = stack.getLogicalId(cfnFunction);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
      reason:
        'Function.grantInvoke also allows qualified ARNs (versions, aliases) of the check function; no other function.',
    });

    this.schedules = props.accounts.map(
      (account) =>
        new scheduler.Schedule(this, `Schedule-${account.name}`, {
          description: `stopwatt check for account ${account.name}`,
          schedule: scheduler.ScheduleExpression.expression(account.schedule),
          // Ticks must be on time: a flexible window would delay a stop by up to the window.
          timeWindow: scheduler.TimeWindow.off(),
          target: new targets.LambdaInvoke(this.function, {
            role: schedulerRole,
            input: scheduler.ScheduleTargetInput.fromObject({ account: account.name }),
            deadLetterQueue: this.deadLetterQueue,
            // Scheduler retries only failed deliveries (throttling, service errors), not function
            // errors. A delivery later than one interval would overlap the next tick, which
            // supersedes it: give up after the horizon (Scheduler's minimum is 60 s) and dead-letter
            // the event so the DLQ alarm shows that ticks are being lost.
            retryAttempts: 2,
            maxEventAge: Duration.seconds(Math.max(60, account.horizonSeconds)),
          }),
        }),
    );
  }
}

function validateProps(props: ScheduledCheckProps, prefix: string): void {
  if (props.accounts.length === 0) throw new Error('ScheduledCheck: accounts must not be empty');
  if (Token.isUnresolved(prefix) || !/^(\/[A-Za-z0-9_.-]+)+$/.test(prefix)) {
    throw new Error(`ScheduledCheck: parameterPrefix must look like /stopwatt, got "${prefix}"`);
  }
  for (const account of props.accounts) {
    if (!/^[a-z0-9-]{1,32}$/.test(account.name)) {
      throw new Error(`ScheduledCheck: account name "${account.name}" must be 1-32 of a-z, 0-9, -`);
    }
  }
}
