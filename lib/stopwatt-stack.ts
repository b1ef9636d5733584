import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from '../lambdas/contract.ts';
import type { DeployConfig } from './deploy-config.ts';
import { ScheduledCheck } from './scheduled-check.ts';
import { SessionTable } from './session-table.ts';
import { WebApp } from './web-app.ts';

export interface StopwattStackProps extends StackProps {
  /** The validated deploy config (`loadDeployConfig`). */
  readonly config: DeployConfig;
  /**
   * The check handler's entry file; tests pass a tiny fixture to keep bundling fast.
   * @default - `lambdas/check/handler.ts` (ScheduledCheck's default)
   */
  readonly checkEntry?: string;
  /**
   * The web handler's entry file (only with `web: true`); tests pass a tiny fixture.
   * @default - `lambdas/web/lambda-handler.ts` (WebApp's default)
   */
  readonly webEntry?: string;
}

/** Everything one driver deploys: the log table, the scheduled check, alarms and their topic. */
export class StopwattStack extends Stack {
  public readonly check: ScheduledCheck;
  public readonly topic: sns.Topic;
  /** One phone page per account with `web: true`; empty otherwise. */
  public readonly webApps: readonly WebApp[];

  constructor(scope: Construct, id: string, props: StopwattStackProps) {
    const { config, checkEntry, webEntry, ...stackProps } = props;
    super(scope, id, {
      description: 'stopwatt: ends EV charging sessions on an AMPECO network when a rule holds',
      ...stackProps,
    });

    const { table } = new SessionTable(this, 'SessionTable');
    this.topic = this.#buildTopic(config);
    this.check = new ScheduledCheck(this, 'Check', {
      entry: checkEntry,
      accounts: config.accounts,
      table,
      topic: this.topic,
      webhookUrl: config.webhookUrl,
      logGroupRetention: config.logGroupRetentionDays,
      ttlDays: config.logRetentionDays,
    });
    this.#buildAlarms(config);
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'Session log table' });
    new CfnOutput(this, 'TopicArn', { value: this.topic.topicArn, description: 'Notification topic' });
    new CfnOutput(this, 'FunctionName', {
      value: this.check.function.functionName,
      description: 'Check function',
    });
    this.webApps = config.web ? this.#buildWebApps(config, table, webEntry) : [];
  }

  #buildTopic(config: DeployConfig): sns.Topic {
    // No SSE: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed aws/sns key
    // (its key policy cannot admit cloudwatch.amazonaws.com), and a customer-managed key would cost
    // more than the rest of the stack. Messages are stop notices and alarm states, never tokens.
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'stopwatt',
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces SNS's default one that let same-account
    // services publish: without this statement the alarm actions would be denied.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );
    if (config.notificationEmail !== undefined) {
      topic.addSubscription(new subscriptions.EmailSubscription(config.notificationEmail));
    }

    return topic;
  }

  /** Errors, undelivered ticks and missing successful ticks page the topic. */
  #buildAlarms(config: DeployConfig): void {
    const alarmAction = new actions.SnsAction(this.topic);
    const alarms = [
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: 'stopwatt: the check function failed at least once in 5 minutes',
        metric: this.check.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
        alarmDescription: 'stopwatt: Scheduler could not deliver a tick (see the dead-letter queue)',
        metric: this.check.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'NoTickAlarm', {
        alarmDescription: `stopwatt: no successful tick for ${config.alarms.noTickMinutes} minutes`,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: METRIC.successfulTicks,
          dimensionsMap: { service: SERVICE_NAME },
          statistic: 'Sum',
          period: Duration.minutes(config.alarms.noTickMinutes),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data is exactly the failure this alarm exists for: nothing ran, or nothing succeeded.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(alarmAction);
  }

  #buildWebApps(config: DeployConfig, table: TableV2, webEntry: string | undefined): WebApp[] {
    return config.accounts.map((account) => {
      const web = new WebApp(this, `Web-${account.name}`, {
        account,
        table,
        entry: webEntry,
        logGroupRetention: config.logGroupRetentionDays,
      });
      new CfnOutput(this, `WebUrl-${account.name}`, {
        value: web.functionUrl.url,
        description: `Phone page of account ${account.name} (sign in with stopwatt web-link)`,
      });
      return web;
    });
  }
}
