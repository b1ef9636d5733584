import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';

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
  /**
   * Minutes between API reads while no session is open (0: every tick).
   * @default 5
   */
  readonly idleIntervalMinutes?: number;
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
   * The session log table.
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
