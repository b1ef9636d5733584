/**
 * One composition root: `check --table` and the deployed handler assemble the same check for the
 * same account (device id, stores, login renewal), and a spawned `check --table` against DynamoDB
 * Local, the SSM server and the simulator leaves its condition and notification logs in the table.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHECK_OPTIONS, checkParts, parseCommandArgs } from '../../bin/commands/check.ts';
import { DynamoDbConditionLog } from '../../lambdas/adapters/dynamodb/condition-log.ts';
import { DynamoDbNotificationLog } from '../../lambdas/adapters/dynamodb/notification-log.ts';
import { createDynamoDbClient, DynamoDbSessionLog } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { createSsmClient } from '../../lambdas/adapters/ssm/parameters.ts';
import { lambdaAccountCheck } from '../../lambdas/check/account-check.ts';
import { parseEnvironment } from '../../lambdas/check/environment.ts';
import { buildCheck } from '../../lambdas/composition/build-check.ts';
import { AmpecoSimulator, type SimUser } from '../../lambdas/simulator/server.ts';
import { capture } from '../support/cli-io.ts';
import { baseEnv, runCli } from '../support/cli-runner.ts';
import { createTestTable, partitionItems, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { SsmServer } from '../support/ssm-server.ts';

const ACCOUNT = 'home';

let simulator: AmpecoSimulator;
let ssm: SsmServer;
let table: TestTable;
let receiver: { server: Server; url: string; bodies: string[] };
let user: SimUser;

/** The deployed function's view of the account, as the handler builds it. */
function lambdaCheck() {
  const env = parseEnvironment({
    STOPWATT_TABLE_NAME: table.tableName,
    STOPWATT_ACCOUNTS: JSON.stringify([
      { name: ACCOUNT, apiUrl: simulator.url, priceArea: 'DK1', horizonSeconds: 0 },
    ]),
    STOPWATT_WEBHOOK_URL: `${receiver.url}/hook`,
  });
  const options = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  return lambdaAccountCheck(
    {
      env,
      ssm: createSsmClient({ ...options, endpoint: ssm.url }),
      dynamo: createDynamoDbClient({ ...options, endpoint: inject('dynamoDbEndpoint') }),
      logger: new Logger({ serviceName: 'stopwatt' }),
      metrics: new Metrics({ namespace: 'Stopwatt', serviceName: 'stopwatt' }),
    },
    ACCOUNT,
  );
}

/** What `check --table` builds in-process for the same flags and environment. */
async function cliCheck() {
  const args = ['--table', table.tableName, '--region', LOCAL_REGION, '--account', ACCOUNT, '--horizon', '0'];
  const { values } = parseCommandArgs(args, CHECK_OPTIONS);
  const io = {
    stdout: capture().stream,
    stderr: capture().stream,
    env: { STOPWATT_API_URL: simulator.url, STOPWATT_WEBHOOK_URL: `${receiver.url}/hook` },
  };
  return buildCheck(await checkParts(values, io, { horizonMs: 0 }));
}

async function startReceiver(): Promise<typeof receiver> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // `/eds` answers a body that is no price list: the price feed counts as unavailable.
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

beforeAll(async () => {
  ssm = await SsmServer.start();
  table = await createTestTable(inject('dynamoDbEndpoint'));
  simulator = await AmpecoSimulator.start({ token: `current-${randomBytes(8).toString('hex')}` });
  user = {
    username: 'driver@example.com',
    password: `pw-${randomBytes(8).toString('hex')}`,
    clientId: '1',
    clientSecret: `cs-${randomBytes(12).toString('hex')}`,
  };
  simulator.addUser(user);
  receiver = await startReceiver();
});

afterAll(async () => {
  receiver?.server.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
  await simulator?.close();
  await ssm?.close();
  await table?.drop();
});

describe('the composition root', () => {
  it('builds the same check for check --table and the handler: device id, stores, channels, login renewal', async () => {
    // Prepare: both entries get the same table, account, tenant and webhook (nothing is sent).

    // Act
    const [lambda, cli] = [await lambdaCheck(), await cliCheck()];

    // Assess
    expect(cli.deviceId).toBe(lambda.deviceId);
    expect(cli.parts.stores.where).toEqual(lambda.parts.stores.where);
    expect(cli.parts.channels.names).toEqual(['webhook']);
    expect(cli.parts.channels.names).toEqual(lambda.parts.channels.names);
    for (const check of [lambda, cli]) {
      expect(check.parts.stores.log).toBeInstanceOf(DynamoDbSessionLog);
      expect(check.parts.stores.conditions).toBeInstanceOf(DynamoDbConditionLog);
      expect(check.parts.stores.notifications).toBeInstanceOf(DynamoDbNotificationLog);
      expect(check.parts.stores.credentials).not.toBeNull();
    }
    expect(cli.parts.stores.where.credentials).toBe(`ssm:/stopwatt/${ACCOUNT}/credentials`);
  });

  it('runs check --table like the function: renews the token by login and logs conditions and notifications in DynamoDB', async () => {
    // Prepare: an expired token with a stored login, a spot price rule whose feed is down, and a
    // session at its energy target.
    const session = simulator.addSession({ energyWh: 21_000, powerKw: 11 });
    ssm.set(`/stopwatt/${ACCOUNT}/token`, `expired-${randomBytes(8).toString('hex')}`, 'SecureString');
    ssm.set(`/stopwatt/${ACCOUNT}/credentials`, JSON.stringify(user), 'SecureString');
    ssm.set(
      `/stopwatt/${ACCOUNT}/rules`,
      JSON.stringify({ energyKwh: 20, priceSource: 'spot', maxPricePerKwh: 3 }),
    );
    const env = Object.fromEntries(Object.entries(baseEnv()).filter(([key]) => !key.startsWith('AWS_')));
    const expectedDeviceId = (await lambdaCheck()).deviceId;

    // Act
    const run = await runCli(
      [
        'check',
        '--json',
        '--table',
        table.tableName,
        '--region',
        LOCAL_REGION,
        '--account',
        ACCOUNT,
        '--horizon',
        '0',
      ],
      {
        ...env,
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoint'),
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        STOPWATT_API_URL: simulator.url,
        STOPWATT_EDS_URL: `${receiver.url}/eds`,
        STOPWATT_WEBHOOK_URL: `${receiver.url}/hook`,
      },
    );

    // Assess
    expect(run.stderr).not.toContain(user.password);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ action: 'end', sessionId: session.id });
    expect(simulator.loginRequests().map((r) => [r.status, r.headers['x-device-id']])).toEqual([
      [200, expectedDeviceId],
    ]);
    const conditions = await partitionItems(table, `CONDITION#${ACCOUNT}`);
    expect(conditions.map((item) => [item.sk, item.active])).toEqual([['price-feed-unavailable', true]]);
    const notifications = await partitionItems(table, `NOTIFY#${ACCOUNT}`);
    expect(notifications.map((item) => String(item.sk))).toContainEqual(
      expect.stringMatching(/^webhook\|session-ended/),
    );
  });
});
