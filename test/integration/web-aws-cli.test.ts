import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Ssm } from '../../lambdas/adapters/aws/ssm.ts';
import {
  bundledAssets,
  createWebHandler,
  parseWebEnvironment,
  type WebHandler,
} from '../../lambdas/web/lambda-handler.ts';
import { baseEnv, runCli } from '../support/cli-runner.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { deviceCookieOf, FUNCTION_URL_ORIGIN, sendTo } from '../support/function-url.ts';
import { SsmServer } from '../support/ssm-server.ts';

const ACCOUNT = 'home';

let table: TestTable;
let ssm: SsmServer;
let ssmClient: Ssm;
let handler: WebHandler;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [table, ssm] = await Promise.all([createTestTable(inject('dynamoDbEndpoint')), SsmServer.start()]);
  ssmClient = new Ssm({ endpoint: ssm.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  // What the stack writes with `web: true`.
  ssm.set(`/stopwatt/${ACCOUNT}/web/url`, `${FUNCTION_URL_ORIGIN}/`);
  ssm.set(`/stopwatt/${ACCOUNT}/web/table`, table.tableName);
  handler = createWebHandler({
    settings: parseWebEnvironment({ STOPWATT_ACCOUNT: ACCOUNT, STOPWATT_TABLE_NAME: table.tableName }),
    ssm: ssmClient,
    dynamo: table.client,
    assets: bundledAssets(''),
    keyCacheTtlMs: 0,
  });
  env = {
    ...baseEnv(),
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoint'),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_PROFILE: '',
  };
});

afterAll(async () => {
  await Promise.all([table?.drop(), ssm?.close()]);
});

describe('stopwatt web-link', () => {
  it('prints a one-time sign-in URL and its QR code, then --revoke signs that device out', async () => {
    // Prepare
    const link = await runCli(['web-link', '--account', ACCOUNT, '--region', LOCAL_REGION], env);
    expect(link.stderr).toBe('');
    expect(link.code).toBe(0);
    const url = /^sign in: (\S+)$/m.exec(link.stdout)?.[1] ?? '';
    const cookie = deviceCookieOf(await sendTo(handler, 'GET', url)) ?? '';
    expect((await sendTo(handler, 'GET', '/', { cookie })).statusCode).toBe(200);

    // Act
    const revoke = await runCli(
      ['web-link', '--account', ACCOUNT, '--region', LOCAL_REGION, '--revoke'],
      env,
    );

    // Assess
    expect(url).toMatch(new RegExp(`^${FUNCTION_URL_ORIGIN}/sign-in\\?t=[\\w-]{43}$`));
    expect(link.stdout).toMatch(/[█▀▄]{10}/);
    expect(link.stdout).toContain('valid for 10 minutes, once');
    expect(ssm.parameters.get(`/stopwatt/${ACCOUNT}/web/signing-key`)?.type).toBe('SecureString');
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain('signed every device out of account home (signing key generation 2)');
    expect((await sendTo(handler, 'GET', '/', { cookie })).statusCode).toBe(401);
    expect((await sendTo(handler, 'GET', url)).statusCode).toBe(403);
  });

  it('says how to deploy the page when the stack has none for the account', async () => {
    const run = await runCli(['web-link', '--account', 'cabin', '--region', LOCAL_REGION], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no phone page is deployed for account cabin');
    expect(run.stderr).toContain('"web": true');
  });

  it('refuses an account name the stack could not have', async () => {
    const before = ssm.requests.length;

    const run = await runCli(['web-link', '--account', 'Home/../x', '--region', LOCAL_REGION], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--account must be 1-32 characters/);
    expect(ssm.requests).toHaveLength(before);
  });
});
