import path from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Ssm } from '../../lambdas/adapters/aws/ssm.ts';
import { SsmRulesStore } from '../../lambdas/adapters/ssm/parameters.ts';
import { parseRules, parseRulesJson } from '../../lambdas/config.ts';
import { createSignInLink } from '../../lambdas/web/auth/sign-in-link.ts';
import { DynamoDbSignInLinks } from '../../lambdas/web/aws/dynamodb-sign-in-links.ts';
import { SsmSigningKeys } from '../../lambdas/web/aws/ssm-signing-keys.ts';
import { awsWebDeps } from '../../lambdas/web/aws/web-deps.ts';
import {
  bundledAssets,
  createWebHandler,
  parseWebEnvironment,
  type WebHandler,
} from '../../lambdas/web/lambda-handler.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import {
  deviceCookieOf,
  FUNCTION_URL_ORIGIN,
  sendTo,
  type UrlRequest,
  type UrlResponse,
} from '../support/function-url.ts';
import { SsmServer } from '../support/ssm-server.ts';

const ACCOUNT = 'home';
const ORIGIN = FUNCTION_URL_ORIGIN;
const STATIC_DIR = path.join(import.meta.dirname, '../../lambdas/web/static');

let table: TestTable;
let ssm: SsmServer;
let ssmClient: Ssm;
let handler: WebHandler;

beforeAll(async () => {
  [table, ssm] = await Promise.all([createTestTable(inject('dynamoDbEndpoint')), SsmServer.start()]);
  ssmClient = new Ssm({ endpoint: ssm.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  // What `stopwatt web-link` does before the first sign-in.
  await new SsmSigningKeys({ client: ssmClient, account: ACCOUNT, create: true }).current();
  handler = createWebHandler({
    settings: parseWebEnvironment({ STOPWATT_ACCOUNT: ACCOUNT, STOPWATT_TABLE_NAME: table.tableName }),
    ssm: ssmClient,
    dynamo: table.client,
    assets: bundledAssets(STATIC_DIR),
    keyCacheTtlMs: 0,
  });
});

afterAll(async () => {
  await Promise.all([table?.drop(), ssm?.close()]);
});

const send = (method: string, url: string, request: UrlRequest = {}) => sendTo(handler, method, url, request);

async function newLink(): Promise<string> {
  const links = new DynamoDbSignInLinks({
    client: table.client,
    tableName: table.tableName,
    account: ACCOUNT,
  });
  return (await createSignInLink(links, ORIGIN, new Date())).url;
}

function signedIn(response: UrlResponse): string {
  const setCookie = response.cookies?.find((cookie) => cookie.startsWith('stopwatt_device='));
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/Secure/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  return deviceCookieOf(response) ?? '';
}

describe('the web Lambda entry behind a Function URL', () => {
  it('signs a device in with a link once, and refuses the same link again', async () => {
    // Prepare
    const link = await newLink();

    // Act
    const first = await send('GET', link);
    const second = await send('GET', link);

    // Assess
    expect(first.statusCode).toBe(303);
    expect(first.headers?.location).toBe('/');
    expect(signedIn(first)).toMatch(/^stopwatt_device=v1\./);
    expect(second.statusCode).toBe(403);
    expect(second.cookies ?? []).toEqual([]);
  });

  it('renders the Now page for a signed-in device and refuses a request without the cookie', async () => {
    const cookie = signedIn(await send('GET', await newLink()));

    const page = await send('GET', '/', { cookie });
    const anonymous = await send('GET', '/');

    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Now');
    expect(anonymous.statusCode).toBe(401);
  });

  it('serves the stylesheet from the bundle directory', async () => {
    const css = await send('GET', '/static/app.css');

    expect(css.statusCode).toBe(200);
    expect(css.headers?.['content-type']).toMatch(/^text\/css/);
  });

  it('writes a stop-now request into the rules parameter the check reads, validated', async () => {
    // Prepare
    const deps = awsWebDeps({
      settings: parseWebEnvironment({ STOPWATT_ACCOUNT: ACCOUNT, STOPWATT_TABLE_NAME: table.tableName }),
      ssm: ssmClient,
      dynamo: table.client,
      assets: bundledAssets(STATIC_DIR),
    });
    const stored = parseRules({ energyKwh: 40 });

    // Act
    await deps.rules.put({ ...stored, once: { sessionId: '4711', stopNow: true } });

    // Assess
    const text = ssm.parameters.get(`/stopwatt/${ACCOUNT}/rules`)?.value ?? '';
    expect(parseRulesJson(text).once).toEqual({ sessionId: '4711', stopNow: true });
    expect(await new SsmRulesStore({ client: ssmClient, account: ACCOUNT }).get()).toMatchObject({
      energyKwh: 40,
      once: { sessionId: '4711', stopNow: true },
    });
    await expect(deps.rules.put({ ...stored, energyKwh: -1 })).rejects.toThrow(/energyKwh/);
  });

  it('saves a one-session target posted through the Function URL into SSM, and refuses it without CSRF', async () => {
    // Prepare
    const cookie = signedIn(await send('GET', await newLink()));
    const controls = await send('GET', '/controls', { cookie });
    const csrf = /name="csrf" value="([^"]+)"/.exec(controls.body ?? '')?.[1] ?? '';

    // Act
    const refused = await send('POST', '/controls/once', { cookie, body: 'energyKwh=30' });
    const saved = await send('POST', '/controls/once', {
      cookie,
      body: `csrf=${encodeURIComponent(csrf)}&energyKwh=30`,
    });

    // Assess
    expect(refused.statusCode).toBe(403);
    expect(saved.statusCode).toBe(303);
    const text = ssm.parameters.get(`/stopwatt/${ACCOUNT}/rules`)?.value ?? '';
    expect(parseRulesJson(text).once).toMatchObject({ energyKwh: 30 });
  });

  it('counts failed sign-ins per caller address from the request context', async () => {
    await send('GET', '/sign-in?t=guessed');

    const items = await table.sdk.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': { S: `WEB#${ACCOUNT}` }, ':sk': { S: 'ATTEMPT#203.0.113.9#' } },
      }),
    );
    expect(items.Count).toBeGreaterThanOrEqual(1);
  });
});
