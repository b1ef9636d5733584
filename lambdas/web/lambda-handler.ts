import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { handle } from 'hono/aws-lambda';
import * as z from 'zod/mini';
import type { DynamoDb } from '../adapters/aws/dynamodb.ts';
import type { Ssm } from '../adapters/aws/ssm.ts';
import { createDynamoDbClient } from '../adapters/dynamodb/session-log.ts';
import { createSsmClient } from '../adapters/ssm/parameters.ts';
import { formatZodError } from '../config.ts';
import {
  ACCOUNT_NAME_PATTERN,
  DEFAULT_EDS_URL,
  DEFAULT_PARAMETER_PREFIX,
  DEFAULT_TTL_DAYS,
} from '../contract.ts';
import { ConfigError } from '../errors.ts';
import { createWebApp } from './app.ts';
import { awsWebDeps, type WebSettings } from './aws/web-deps.ts';
import type { StaticAsset } from './ports.ts';

const EnvironmentSchema = z.object({
  STOPWATT_ACCOUNT: z.string().check(z.regex(ACCOUNT_NAME_PATTERN)),
  STOPWATT_TABLE_NAME: z.string().check(z.minLength(1)),
  STOPWATT_PARAMETER_PREFIX: z._default(z.string().check(z.startsWith('/')), DEFAULT_PARAMETER_PREFIX),
  STOPWATT_EDS_URL: z._default(z.url(), DEFAULT_EDS_URL),
  STOPWATT_TTL_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), DEFAULT_TTL_DAYS),
});

export function parseWebEnvironment(env: NodeJS.ProcessEnv): WebSettings {
  const result = EnvironmentSchema.safeParse(env);
  if (!result.success)
    throw new ConfigError(`invalid web function environment: ${formatZodError(result.error)}`);
  const e = result.data;
  return {
    account: e.STOPWATT_ACCOUNT,
    tableName: e.STOPWATT_TABLE_NAME,
    parameterPrefix: e.STOPWATT_PARAMETER_PREFIX,
    edsUrl: e.STOPWATT_EDS_URL,
    ttlDays: e.STOPWATT_TTL_DAYS,
  };
}

/** Static files the bundle carries next to index.mjs in `static/` (copied by WebApp's bundling). */
export function bundledAssets(dir: string): (name: string) => Promise<StaticAsset | null> {
  const cache = new Map<string, Promise<StaticAsset | null>>();
  return (name) => {
    const type = /^[\w.-]+\.(css|js)$/.exec(name)?.[1];
    if (type === undefined) return Promise.resolve(null);
    let loaded = cache.get(name);
    if (!loaded) {
      const contentType = `text/${type === 'css' ? 'css' : 'javascript'}; charset=utf-8`;
      loaded = readFile(join(dir, name), 'utf8').then(
        (body) => ({ body, contentType }),
        () => null,
      );
      cache.set(name, loaded);
    }
    return loaded;
  };
}

export interface WebHandlerDeps {
  readonly settings: WebSettings;
  readonly ssm: Ssm;
  readonly dynamo: DynamoDb;
  readonly assets: (name: string) => Promise<StaticAsset | null>;
  readonly now?: (() => Date) | undefined;
  readonly keyCacheTtlMs?: number | undefined;
}

export type WebHandler = ReturnType<typeof handle>;

export function createWebHandler(deps: WebHandlerDeps): WebHandler {
  return handle(createWebApp(awsWebDeps(deps)));
}

let cached: WebHandler | null = null;

/** Lambda entry: environment parsed and clients built once per cold start. */
export const handler = (event: LambdaEvent, context: LambdaContext) => {
  cached ??= createWebHandler({
    settings: parseWebEnvironment(process.env),
    ssm: createSsmClient(),
    dynamo: createDynamoDbClient(),
    assets: bundledAssets(join(import.meta.dirname, 'static')),
  });
  return cached(event, context);
};
