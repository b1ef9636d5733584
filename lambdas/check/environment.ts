import { z } from 'zod';
import { formatZodError } from '../config.ts';
import { ConfigError } from '../errors.ts';

const AccountSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{1,32}$/),
  apiUrl: z.url({ protocol: /^https?$/ }),
  priceArea: z.enum(['DK1', 'DK2']).default('DK1'),
  horizonSeconds: z.number().int().min(0).max(900).default(60),
});

export type AccountConfig = z.output<typeof AccountSchema>;

const jsonAccounts = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of accounts' });
    return z.NEVER;
  }
});

/** The check function's environment, parsed once per cold start. */
export const EnvironmentSchema = z.object({
  STOPWATT_TABLE_NAME: z.string().min(1),
  STOPWATT_PARAMETER_PREFIX: z.string().startsWith('/').default('/stopwatt'),
  STOPWATT_ACCOUNTS: jsonAccounts.pipe(z.array(AccountSchema).min(1)),
  STOPWATT_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  STOPWATT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  STOPWATT_TTL_DAYS: z.coerce.number().int().positive().default(90),
  STOPWATT_EDS_URL: z.url().default('https://api.energidataservice.dk'),
});

export type Environment = z.output<typeof EnvironmentSchema>;

export function parseEnvironment(env: NodeJS.ProcessEnv): Environment {
  const result = EnvironmentSchema.safeParse(env);
  if (!result.success) throw new ConfigError(`invalid function environment: ${formatZodError(result.error)}`);
  return result.data;
}

/** EventBridge Scheduler input: `{"account": "<name>"}`. */
export const CheckEventSchema = z.object({ account: z.string().min(1).max(64) });

export function parseCheckEvent(event: unknown): { account: string } {
  const result = CheckEventSchema.safeParse(event);
  if (!result.success) throw new ConfigError(`invalid event: ${formatZodError(result.error)}`);
  return result.data;
}
