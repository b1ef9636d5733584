import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import {
  ACCOUNT_NAME_PATTERN,
  ACCOUNT_NAME_RULE,
  DEFAULT_IDLE_INTERVAL_MINUTES,
  DEFAULT_TTL_DAYS,
} from '../lambdas/contract.ts';

/** The deploy config file name, looked up in the repository root unless a path is given. */
export const DEFAULT_CONFIG_FILE = 'stopwatt.config.json';

export const DEFAULT_API_URL = 'https://drivee.eu.charge.ampeco.tech';
export const DEFAULT_SCHEDULE = 'rate(1 minute)';

/** Lambda's hard timeout is 900 s and the function runs for one interval + 60 s (see ScheduledCheck). */
export const MAX_SCHEDULE_MINUTES = 14;

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

const RATE_EXPRESSION = /^rate\((\d+) (minute|minutes)\)$/;

/** Minutes of a `rate(N minute|minutes)` expression, or null when it is not one we accept. */
export function rateMinutes(expression: string): number | null {
  const match = RATE_EXPRESSION.exec(expression);
  const value = match?.[1];
  const unit = match?.[2];
  if (value === undefined || unit === undefined) return null;
  const minutes = Number(value);
  // Scheduler rejects `rate(1 minutes)` and `rate(5 minute)`: the unit must agree with the number.
  if (minutes < 1 || (minutes === 1) !== (unit === 'minute')) return null;
  return minutes;
}

// The numeric members of the enum (a TS numeric enum also maps names), so the config accepts exactly what CDK does.
const RETENTION_DAYS = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

const AccountSchema = z
  .strictObject({
    name: z
      .string()
      .regex(ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE)
      .describe('Names the SSM path /stopwatt/<name>/ and the schedule; one per operator login.'),
    apiUrl: httpsUrl
      .default(DEFAULT_API_URL)
      .describe('Tenant root of the AMPECO API; the client appends /api/v1/...'),
    priceArea: z.enum(['DK1', 'DK2']).default('DK1'),
    schedule: z
      .string()
      .refine((value) => {
        const minutes = rateMinutes(value);
        return minutes !== null && minutes <= MAX_SCHEDULE_MINUTES;
      }, `must be rate(1 minute) or rate(N minutes) with N from 2 to ${MAX_SCHEDULE_MINUTES}`)
      .default(DEFAULT_SCHEDULE),
    idleIntervalMinutes: z
      .int()
      .min(0)
      .max(60)
      .default(DEFAULT_IDLE_INTERVAL_MINUTES)
      .describe('Minutes between API reads while no session is open (0: every tick).'),
  })
  .transform((account) => ({
    ...account,
    // One tick covers the time until the next one: the handler may wait in-process up to this long.
    horizonSeconds: (rateMinutes(account.schedule) ?? 1) * 60,
  }));

export const DeployConfigSchema = z
  .strictObject({
    // JSON has no comments: the example file documents itself in this key, which is ignored.
    $comment: z.union([z.string(), z.array(z.string())]).optional(),
    accounts: z
      .array(AccountSchema)
      .min(1, 'must list at least one account')
      .superRefine((accounts, ctx) => {
        const seen = new Set<string>();
        accounts.forEach((account, index) => {
          if (seen.has(account.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: `duplicate account name "${account.name}"`,
            });
          }
          seen.add(account.name);
        });
      })
      .default(() => [AccountSchema.parse({ name: 'default' })]),
    notificationEmail: z.email('must be an email address').optional(),
    webhookUrl: httpsUrl.optional(),
    logRetentionDays: z
      .int()
      .min(1)
      .max(3650)
      .default(DEFAULT_TTL_DAYS)
      .describe('Days a session log item is kept in DynamoDB (TTL on expiresAt).'),
    logGroupRetentionDays: z
      .int()
      .refine((days) => RETENTION_DAYS.has(days), `must be one of ${[...RETENTION_DAYS].join(', ')}`)
      .default(30)
      .describe('Days CloudWatch keeps the function log.'),
    alarms: z
      .strictObject({
        noTickMinutes: z
          .int()
          .min(1)
          .max(1440)
          .default(15)
          .describe('Alarm when no tick has succeeded for this many minutes.'),
      })
      .default({ noTickMinutes: 15 }),
    web: z
      .boolean()
      .default(false)
      .describe(
        'Adds the phone page behind a Lambda Function URL, one per account (see `stopwatt web-link`).',
      ),
  })
  .superRefine((config, ctx) => {
    // A window shorter than the longest interval would alarm between two healthy ticks.
    const longest = Math.max(...config.accounts.map((account) => account.horizonSeconds / 60));
    if (config.alarms.noTickMinutes < longest) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'noTickMinutes'],
        message: `must be at least the longest schedule interval (${longest} minutes)`,
      });
    }
  });

export type DeployConfig = z.output<typeof DeployConfigSchema>;
export type DeployConfigInput = z.input<typeof DeployConfigSchema>;
export type AccountConfig = DeployConfig['accounts'][number];

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates a parsed config object; `source` names the file in the error message. */
export function parseDeployConfig(input: unknown, source = DEFAULT_CONFIG_FILE): DeployConfig {
  const result = DeployConfigSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`Invalid deploy config ${source}: ${formatIssues(result.error)}`);
  }
  return result.data;
}

export interface LoadDeployConfigOptions {
  /**
   * Config file (e.g. from `cdk synth -c config=path`), relative to `cwd`. An explicit file must exist.
   * @default - `stopwatt.config.json` in the repository root; defaults apply when it does not exist
   */
  readonly path?: string;
  /**
   * Directory an explicit relative `path` is resolved against.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Directory searched for `stopwatt.config.json` when no `path` is given.
   * @default - the repository root
   */
  readonly root?: string;
  /** Told when no config file exists and the defaults (one account "default") are deployed. */
  readonly warn?: (message: string) => void;
}

/** Said at synth: without a config file the function reads /stopwatt/default/ only. */
export function noConfigWarning(file: string): string {
  return (
    `warning: no ${file}, so the default config is deployed: one account named "default". ` +
    'The function reads only /stopwatt/default/ in SSM: run token set, login and rules with --account default, ' +
    `or copy stopwatt.config.example.json to ${DEFAULT_CONFIG_FILE} and name your accounts there.`
  );
}

/** Reads and validates the deploy config; throws an Error with a one-line message naming the file. */
export function loadDeployConfig(options: LoadDeployConfigOptions = {}): DeployConfig {
  const file =
    options.path === undefined
      ? path.join(options.root ?? REPO_ROOT, DEFAULT_CONFIG_FILE)
      : path.resolve(options.cwd ?? process.cwd(), options.path);
  if (!existsSync(file)) {
    // A clean checkout has no config: `cdk synth` must still work with the defaults.
    if (options.path === undefined) {
      options.warn?.(noConfigWarning(file));
      return parseDeployConfig({}, file);
    }
    throw new Error(`Invalid deploy config ${file}: file not found`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Invalid deploy config ${file}: not valid JSON (${reason.replaceAll('\n', ' ')})`);
  }
  return parseDeployConfig(json, file);
}
