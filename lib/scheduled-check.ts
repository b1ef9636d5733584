import path from 'node:path';
import { Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE, DEFAULT_PARAMETER_PREFIX } from '../lambdas/contract.ts';
import { CHECK_BUNDLING } from './check-bundling.ts';
import { checkEnvironment, checkPolicy } from './check-function-settings.ts';
import type { ScheduledAccount, ScheduledCheckProps } from './scheduled-check-props.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export const DEFAULT_ENTRY = path.join(REPO_ROOT, 'lambdas/check/handler.ts');

/** Lambda's hard limit; the function runs for one horizon plus this margin. */
const MAX_TIMEOUT_SECONDS = 900;
const TIMEOUT_MARGIN_SECONDS = 60;

export type { ScheduledAccount, ScheduledCheckProps } from './scheduled-check-props.ts';

/**
 * One check function and one EventBridge Scheduler schedule per account, with a shared dead-letter
 * queue for invocations Scheduler could not deliver. The function holds no business logic here:
 * it gets its configuration through environment variables and least-privilege access to the
 * account's SSM path, the table and the topic.
 */
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
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logGroupRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.role = this.buildRole(props, prefix);
    this.function = this.buildFunction(props, prefix);
    this.deadLetterQueue = this.buildDeadLetterQueue();
    this.schedules = this.buildSchedules(props.accounts);
  }

  /** Our own role instead of AWSLambdaBasicExecutionRole: this log group, the accounts' parameters. */
  private buildRole(props: ScheduledCheckProps, prefix: string): iam.Role {
    const names = props.accounts.map((account) => account.name);
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'stopwatt check function',
      // Inline, so the policy exists before the function does (no first-invocation race).
      inlinePolicies: {
        check: checkPolicy({
          names,
          prefix,
          logGroup: this.logGroup,
          table: props.table,
          topic: props.topic,
        }),
      },
    });
    for (const name of names) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${prefix}/${name}/*]`,
        reason: `The check reads the parameters of account "${name}" (rules, token, credentials) and nothing outside ${prefix}/${name}/; the CLI owns the names below that path. Writes are listed by name.`,
      });
    }
    return role;
  }

  private buildFunction(props: ScheduledCheckProps, prefix: string): nodejs.NodejsFunction {
    const horizons = props.accounts.map((account) => account.horizonSeconds);
    const fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? DEFAULT_ENTRY,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: 'stopwatt: one check tick for the account named in the event',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(Math.max(...horizons) + TIMEOUT_MARGIN_SECONDS),
      role: this.role,
      logGroup: this.logGroup,
      environment: checkEnvironment(props, prefix),
      // Scheduler invokes asynchronously. A failed tick is not retried by Lambda: the next scheduled
      // tick is the retry, and the Errors alarm reports the failure. An event older than one
      // interval is superseded by a newer tick, so Lambda drops it instead of running it late.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.max(60, Math.min(...horizons))),
      bundling: BUNDLING,
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and the toolchain is verified against it; move to a newer runtime deliberately, with the bundle target.',
    });
    return fn;
  }

  private buildDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the Scheduler targets; cdk-nag only recognises DLQs named in an SQS RedrivePolicy.',
    });
    return queue;
  }

  private buildSchedulerRole(): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'SchedulerRole', {
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
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cfnFunction)}.Arn>:*]`,
      reason:
        'Function.grantInvoke also allows qualified ARNs (versions, aliases) of the check function; no other function.',
    });
    return role;
  }

  private buildSchedules(accounts: readonly ScheduledAccount[]): scheduler.Schedule[] {
    const role = this.buildSchedulerRole();
    return accounts.map(
      (account) =>
        new scheduler.Schedule(this, `Schedule-${account.name}`, {
          description: `stopwatt check for account ${account.name}`,
          schedule: scheduler.ScheduleExpression.expression(account.schedule),
          // Ticks must be on time: a flexible window would delay a stop by up to the window.
          timeWindow: scheduler.TimeWindow.off(),
          target: new targets.LambdaInvoke(this.function, {
            role,
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

const BUNDLING: nodejs.BundlingOptions = {
  ...CHECK_BUNDLING,
  // The enum member for CHECK_BUNDLING.format ('esm').
  format: nodejs.OutputFormat.ESM,
  mainFields: [...CHECK_BUNDLING.mainFields],
  externalModules: [...CHECK_BUNDLING.externalModules],
};

function validateProps(props: ScheduledCheckProps, prefix: string): void {
  if (props.accounts.length === 0) throw new Error('ScheduledCheck: accounts must not be empty');
  if (Token.isUnresolved(prefix) || !/^(\/[A-Za-z0-9_.-]+)+$/.test(prefix)) {
    throw new Error(`ScheduledCheck: parameterPrefix must look like /stopwatt, got "${prefix}"`);
  }
  for (const account of props.accounts) {
    if (!ACCOUNT_NAME_PATTERN.test(account.name)) {
      throw new Error(`ScheduledCheck: account name "${account.name}" ${ACCOUNT_NAME_RULE}`);
    }
  }
  const horizonSeconds = Math.max(...props.accounts.map((account) => account.horizonSeconds));
  if (horizonSeconds + TIMEOUT_MARGIN_SECONDS > MAX_TIMEOUT_SECONDS) {
    throw new Error(
      `ScheduledCheck: the longest horizon (${horizonSeconds} s) plus ${TIMEOUT_MARGIN_SECONDS} s exceeds Lambda's ${MAX_TIMEOUT_SECONDS} s timeout`,
    );
  }
}
