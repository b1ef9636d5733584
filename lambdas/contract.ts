/**
 * What the deploy construct (lib/) and the check function agree on: environment names, defaults,
 * the account-name rule and the metric names the alarms watch. No imports, so both sides (and the
 * CLI) can load it without pulling in CDK or the AWS SDK.
 */

/** The check function's environment variables. */
export const ENV = {
  tableName: 'STOPWATT_TABLE_NAME',
  parameterPrefix: 'STOPWATT_PARAMETER_PREFIX',
  accounts: 'STOPWATT_ACCOUNTS',
  topicArn: 'STOPWATT_TOPIC_ARN',
  webhookUrl: 'STOPWATT_WEBHOOK_URL',
  ttlDays: 'STOPWATT_TTL_DAYS',
  edsUrl: 'STOPWATT_EDS_URL',
  idleIntervalMinutes: 'STOPWATT_IDLE_INTERVAL_MINUTES',
} as const;

export const DEFAULT_PARAMETER_PREFIX = '/stopwatt';
/** Days a session log item lives before DynamoDB's TTL removes it. */
export const DEFAULT_TTL_DAYS = 90;
export const DEFAULT_EDS_URL = 'https://api.energidataservice.dk';
/** Without an open session the API is read at most this often. */
export const DEFAULT_IDLE_INTERVAL_MINUTES = 5;

/** Account names: the SSM path segment, the schedule name and the log partition. */
export const ACCOUNT_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
export const ACCOUNT_NAME_RULE = 'must be 1-32 characters of lowercase a-z, 0-9 and -';

/** Parameters the function writes under `<prefix>/<account>/`; it only reads the others. */
export const WRITABLE_PARAMETERS = ['token', 'credentials', 'rules'] as const;

/** Powertools service name (the `service` metric dimension) and metrics namespace. */
export const SERVICE_NAME = 'stopwatt';
export const METRIC_NAMESPACE = 'Stopwatt';

/** Metric names the handler emits; the no-tick alarm watches `successfulTicks`. */
export const METRIC = {
  ticks: 'Ticks',
  successfulTicks: 'SuccessfulTicks',
  stops: 'Stops',
  failures: 'Failures',
} as const;
