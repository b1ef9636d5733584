import * as z from 'zod/mini';
import type { DeployedSettings } from '../composition/deployed-check.ts';
import { formatZodError } from '../config.ts';
import {
  ACCOUNT_NAME_PATTERN,
  DEFAULT_EDS_URL,
  DEFAULT_PARAMETER_PREFIX,
  DEFAULT_TTL_DAYS,
  ENV,
} from '../contract.ts';
import { ConfigError } from '../errors.ts';

const AccountSchema = z.strictObject({
  name: z.string().check(z.regex(ACCOUNT_NAME_PATTERN)),
  apiUrl: z.url({ protocol: /^https?$/ }),
  priceArea: z._default(z.enum(['DK1', 'DK2']), 'DK1'),
  horizonSeconds: z._default(z.int().check(z.minimum(0), z.maximum(900)), 60),
  // The construct always sets it (default DEFAULT_IDLE_INTERVAL_MINUTES); absent or 0: every tick reads.
  idleIntervalMinutes: z._default(z.int().check(z.minimum(0), z.maximum(60)), 0),
});

export type AccountConfig = z.output<typeof AccountSchema>;

const jsonAccounts = z.pipe(
  z.string(),
  z.transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', message: 'must be a JSON array of accounts', input: text });
      return z.NEVER;
    }
  }),
);

/** The check function's environment, parsed once per cold start. */
export const EnvironmentSchema = z.object({
  [ENV.tableName]: z.string().check(z.minLength(1)),
  [ENV.parameterPrefix]: z._default(z.string().check(z.startsWith('/')), DEFAULT_PARAMETER_PREFIX),
  [ENV.accounts]: z.pipe(jsonAccounts, z.array(AccountSchema).check(z.minLength(1))),
  [ENV.topicArn]: z.optional(z.string().check(z.startsWith('arn:'))),
  [ENV.webhookUrl]: z.optional(z.url({ protocol: /^https?$/ })),
  [ENV.ttlDays]: z._default(z.coerce.number().check(z.int(), z.positive()), DEFAULT_TTL_DAYS),
  [ENV.edsUrl]: z._default(z.url(), DEFAULT_EDS_URL),
});

export type Environment = z.output<typeof EnvironmentSchema>;

/** Everything but the accounts: what `check --table` shares with the function. */
const SettingsSchema = z.omit(EnvironmentSchema, { [ENV.accounts]: true });

export function parseEnvironment(env: NodeJS.ProcessEnv): Environment {
  const result = EnvironmentSchema.safeParse(env);
  if (!result.success) throw new ConfigError(`invalid function environment: ${formatZodError(result.error)}`);
  return result.data;
}

/** EventBridge Scheduler input: `{"account": "<name>"}`. */
export const CheckEventSchema = z.object({ account: z.string().check(z.minLength(1), z.maxLength(64)) });

export function parseCheckEvent(event: unknown): { account: string } {
  const result = CheckEventSchema.safeParse(event);
  if (!result.success) throw new ConfigError(`invalid event: ${formatZodError(result.error)}`);
  return result.data;
}

/** The settings a deployed check needs, from the parsed environment. */
export function deployedSettings(env: Environment): DeployedSettings {
  return {
    tableName: env.STOPWATT_TABLE_NAME,
    parameterPrefix: env.STOPWATT_PARAMETER_PREFIX,
    ttlDays: env.STOPWATT_TTL_DAYS,
    edsUrl: env.STOPWATT_EDS_URL,
    topicArn: env.STOPWATT_TOPIC_ARN,
    webhookUrl: env.STOPWATT_WEBHOOK_URL,
  };
}

/** The same settings for `check --table`: the function's variable names, the table from the flag. */
export function settingsFromEnv(env: NodeJS.ProcessEnv, tableName: string): DeployedSettings {
  const result = SettingsSchema.safeParse({ ...env, [ENV.tableName]: tableName });
  if (!result.success) throw new ConfigError(`invalid environment: ${formatZodError(result.error)}`);
  return deployedSettings({ ...result.data, [ENV.accounts]: [] });
}
