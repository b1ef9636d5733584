/**
 * Notifications over real HTTP: a loopback webhook receiver takes the POSTs of the CLI (`check`
 * spawned with STOPWATT_WEBHOOK_URL) and of the real check handler (webhook + DynamoDB
 * notification log), and of the WebhookNotifier itself for the ntfy format.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { Sns } from '../../lambdas/adapters/aws/sns.ts';
import { createDynamoDbClient } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { FileNotificationLog } from '../../lambdas/adapters/local/file-notification-log.ts';
import { DeduplicatingNotifier } from '../../lambdas/adapters/notify/deduplicating-notifier.ts';
import { FanOutNotifier } from '../../lambdas/adapters/notify/fan-out-notifier.ts';
import { WebhookNotifier } from '../../lambdas/adapters/notify/webhook-notifier.ts';
import { createSsmClient } from '../../lambdas/adapters/ssm/parameters.ts';
import { parseEnvironment } from '../../lambdas/check/environment.ts';
import { type CheckResult, createHandler } from '../../lambdas/check/handler.ts';
import type { NotificationEvent } from '../../lambdas/ports.ts';
import { AmpecoSimulator, realClock } from '../../lambdas/simulator/server.ts';
import { baseEnv, type CliRun, runCli } from '../support/cli-runner.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { OutputCapture } from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const DAY_MS = 86_400_000;
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:stopwatt-notifications';

interface ReceivedPost {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The status the receiver answered with. */
  readonly status: number;
}

/** A webhook receiver on 127.0.0.1 that records every request; answers 200 unless told otherwise. */
class WebhookReceiver {
  readonly received: ReceivedPost[] = [];
  /** Statuses for the next requests, in order; `defaultStatus` once empty. */
  readonly answers: number[] = [];
  defaultStatus = 200;
  /** Answer like SNS `Publish` (AWS query protocol, XML) instead of a webhook. */
  sns = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const status = receiver?.answers.shift() ?? receiver?.defaultStatus ?? 200;
        receiver?.received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        });
        if (receiver?.sns && status === 200) {
          res.writeHead(200, { 'content-type': 'text/xml' }).end(SNS_PUBLISH_RESPONSE);
        } else {
          res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  /** Bodies of the accepted (2xx) JSON POSTs. */
  delivered(): Record<string, unknown>[] {
    return this.received
      .filter((r) => r.method === 'POST' && r.status < 300)
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  deliveredOf(kind: string): Record<string, unknown>[] {
    return this.delivered().filter((body) => body.kind === kind);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const SNS_PUBLISH_RESPONSE = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>6f1c2b0e-1111-4a5b-9c3d-000000000001</MessageId></PublishResult>
  <ResponseMetadata><RequestId>0c0f1d8e-2222-4b6c-8d4e-000000000002</RequestId></ResponseMetadata>
</PublishResponse>`;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped token expiring `msLeft` from now, built at test time. */
function jwtExpiringIn(msLeft: number): string {
  const exp = Math.floor((Date.now() + msLeft) / 1000);
  const payload = { sub: '1', jti: randomBytes(8).toString('hex'), exp };
  return `${b64url({ typ: 'JWT', alg: 'RS256' })}.${b64url(payload)}.${b64url('sig')}`;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllGlobals();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await WebhookReceiver.start();
  cleanups.push(() => started.close());
  return started;
}

/** Spawns the CLI; a run that hangs is killed well inside the test timeout. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return runCli(args, env, { timeoutMs: 30_000 });
}

describe('stopwatt check with STOPWATT_WEBHOOK_URL', () => {
  it('posts one session-ended notification with the rule and numbers, and no duplicate on the next check', async () => {
    // Prepare: a token 10 days from expiry also makes the first check warn about it.
    const hook = await receiver();
    const token = jwtExpiringIn(10 * DAY_MS);
    const sim = await AmpecoSimulator.start({ clock: realClock(), token });
    cleanups.push(() => sim.close());
    const { id } = sim.addSession({ powerKw: 11, energyWh: 10_500, stopDelayMs: 60_000 });
    const env = {
      ...baseEnv(),
      STOPWATT_API_URL: sim.url,
      STOPWATT_TOKEN: token,
      STOPWATT_STORE: await tempDir('stopwatt-notify-', cleanups),
      STOPWATT_WEBHOOK_URL: `${hook.url}/hooks/stopwatt`,
    };

    // Act
    const first = await cli(['check', '--json', '--energy-kwh', '10', '--horizon', '0'], env);
    const second = await cli(['check', '--json', '--energy-kwh', '10', '--horizon', '0'], env);

    // Assess
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ action: 'end', sessionId: id });
    expect(JSON.parse(second.stdout)).toMatchObject({ action: 'already-stopping', sessionId: id });
    expect(hook.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /hooks/stopwatt',
      'POST /hooks/stopwatt',
    ]);
    expect(hook.received.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
    const [ended, ...moreEnded] = hook.deliveredOf('session-ended');
    expect(moreEnded).toEqual([]);
    expect(ended).toMatchObject({
      kind: 'session-ended',
      subject: 'Charging ended: energy rule',
      data: { sessionId: id, reason: 'energy', currency: 'DKK' },
    });
    expect(Object.keys(ended ?? {}).sort()).toEqual(['at', 'data', 'kind', 'message', 'subject']);
    const data = ended?.data as Record<string, unknown>;
    expect(data.energyKwh).toBeCloseTo(10.5, 1);
    expect(data.pricePerKwh).toBeCloseTo(1.625, 10);
    expect(String(ended?.message)).toMatch(
      new RegExp(
        `^stopwatt ended session ${id}: .*10 kWh.*\\. Energy 10\\.5\\d kWh, cost \\d+\\.\\d\\d DKK, price 1\\.625 DKK/kWh`,
      ),
    );
    expect(Number.isNaN(Date.parse(String(ended?.at)))).toBe(false);
    expect(hook.deliveredOf('token-expiring')).toHaveLength(1);
    // A local run reads STOPWATT_TOKEN: the notice says to renew that, not to run token set.
    expect(String(hook.deliveredOf('token-expiring')[0]?.message)).toContain('STOPWATT_TOKEN');
    expect(hook.received.map((r) => r.body).join('\n')).not.toContain(token);
  });

  /** A charging session, and a receiver that is both the webhook and a price service answering 403. */
  async function priceOutage() {
    const hook = await receiver();
    hook.answers.push(403);
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const sim = await AmpecoSimulator.start({ clock: realClock(), token });
    cleanups.push(() => sim.close());
    sim.addSession({ powerKw: 11, energyWh: 2_000 });
    const store = await tempDir('stopwatt-notify-', cleanups);
    const env = {
      ...baseEnv(),
      STOPWATT_API_URL: sim.url,
      STOPWATT_TOKEN: token,
      STOPWATT_STORE: store,
      STOPWATT_EDS_URL: `${hook.url}/eds`,
      STOPWATT_WEBHOOK_URL: `${hook.url}/hook`,
    };
    return { hook, store, env };
  }

  it('does not notify a price feed outage that has just started, and remembers when it began', async () => {
    // Prepare
    const { hook, store, env } = await priceOutage();

    // Act
    const result = await cli(['check', '--json', '--price-source', 'spot', '--max-price', '3'], env);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('price feed unavailable');
    expect(hook.deliveredOf('price-feed-unavailable')).toHaveLength(0);
    const condition = JSON.parse(
      await readFile(join(store, 'accounts', 'local', 'conditions', 'price-feed-unavailable.json'), 'utf8'),
    ) as { since: string };
    expect(Date.now() - Date.parse(condition.since)).toBeLessThan(60_000);
  });

  it('posts a price-feed-unavailable notice once when the spot price service has refused for over an hour', async () => {
    // Prepare
    const { hook, store, env } = await priceOutage();
    const conditions = join(store, 'accounts', 'local', 'conditions');
    await mkdir(conditions, { recursive: true });
    const since = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await writeFile(join(conditions, 'price-feed-unavailable.json'), JSON.stringify({ since }));

    // Act
    const result = await cli(['check', '--json', '--price-source', 'spot', '--max-price', '3'], env);
    hook.answers.push(403);
    const again = await cli(['check', '--json', '--price-source', 'spot', '--max-price', '3'], env);

    // Assess
    expect(result.code).toBe(0);
    expect(again.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'continue', pricePerKwh: null });
    expect(result.stderr).toContain('price feed unavailable');
    expect(hook.received[0]?.path).toMatch(/^\/eds\/dataset\/DayAheadPrices\?/);
    const notices = hook.deliveredOf('price-feed-unavailable');
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.message)).toContain('energy, cost and deadline rules still apply');
    expect(String(notices[0]?.message)).toMatch(
      /^Spot prices could not be read since \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Copenhagen \(/,
    );
  });
});

describe('WebhookNotifier', () => {
  const event: NotificationEvent = {
    kind: 'session-ended',
    key: 'session-ended:100001',
    subject: 'Charging ended: energy rule – 20 kWh',
    message: 'stopwatt ended session 100001: energy 20.01 kWh reached the target of 20 kWh.',
    data: { sessionId: '100001', reason: 'energy', energyKwh: 20.01 },
  };

  it('posts ntfy plain text with Title and Tags headers to an ntfy topic URL', async () => {
    // Prepare: `ntfy.localhost` does not resolve here, so fetch is pointed at the loopback receiver.
    const hook = await receiver();
    const realFetch = globalThis.fetch;
    const target = new URL(hook.url);
    vi.stubGlobal('fetch', async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      url.host = target.host;
      return realFetch(url, {
        method: request.method,
        headers: request.headers,
        body: await request.text(),
        signal: request.signal,
      });
    });
    const notifier = new WebhookNotifier({ url: 'http://ntfy.localhost/stopwatt-topic-1234' });

    // Act
    await notifier.send(event);

    // Assess
    expect(hook.received).toHaveLength(1);
    const [post] = hook.received;
    expect(post?.method).toBe('POST');
    expect(post?.path).toBe('/stopwatt-topic-1234');
    expect(post?.body).toBe(event.message);
    expect(post?.headers.title).toBe('Charging ended: energy rule  20 kWh');
    expect(post?.headers.tags).toBe('session-ended');
    expect(post?.headers['content-type']).not.toBe('application/json');
  });

  it('posts one JSON object {kind, subject, message, data, at} to any other URL', async () => {
    // Prepare
    const hook = await receiver();
    const at = new Date('2026-05-01T18:30:00Z');
    const notifier = new WebhookNotifier({ url: `${hook.url}/json`, now: () => at });

    // Act
    await notifier.send(event);

    // Assess
    expect(hook.delivered()).toEqual([
      {
        kind: 'session-ended',
        subject: event.subject,
        message: event.message,
        data: { sessionId: '100001', reason: 'energy', energyKwh: 20.01 },
        at: '2026-05-01T18:30:00.000Z',
      },
    ]);
  });

  it('fails naming only the origin of the URL when the webhook answers 500', async () => {
    // Prepare
    const hook = await receiver();
    hook.answers.push(500);
    const notifier = new WebhookNotifier({ url: `${hook.url}/secret-topic-name` });

    // Act
    const failure = await notifier.send(event).then(
      () => null,
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toContain(`webhook ${hook.url} failed`);
    expect(String((failure as Error).message)).not.toContain('secret-topic-name');
    expect(hook.received).toHaveLength(1);
  });

  it('sends an event key once through the file notification log, and retries a failed send', async () => {
    // Prepare
    const hook = await receiver();
    hook.answers.push(500);
    const notifier = new DeduplicatingNotifier({
      inner: new FanOutNotifier([new WebhookNotifier({ url: hook.url })]),
      log: new FileNotificationLog({ dir: await tempDir('stopwatt-notify-', cleanups), account: 'local' }),
    });

    // Act
    const failed = await notifier.send(event).then(
      () => 'sent',
      () => 'failed',
    );
    await notifier.send(event);
    await notifier.send(event);
    await notifier.send({ ...event, key: 'session-ended:100002' });

    // Assess
    expect(failed).toBe('failed');
    expect(hook.received.map((r) => r.status)).toEqual([500, 200, 200]);
  });
});

describe('check handler notifications (webhook + DynamoDB notification log)', () => {
  let ssm: SsmServer;
  let table: TestTable;
  let doc: DynamoDBDocumentClient;
  let output: OutputCapture;

  beforeAll(async () => {
    ssm = await SsmServer.start();
    table = await createTestTable(inject('dynamoDbEndpoint'));
    doc = DynamoDBDocumentClient.from(table.sdk);
  });

  afterAll(async () => {
    await ssm?.close();
    await table?.drop();
  });

  beforeEach(() => {
    ssm.parameters.clear();
    output = new OutputCapture();
  });

  afterEach(() => {
    output.restore();
  });

  /** The real handler, as `createTestHandler` builds it, plus STOPWATT_WEBHOOK_URL; one account per test. */
  function newHandler(options: { apiUrl: string; webhookUrl: string; account: string; snsUrl?: string }) {
    const env = parseEnvironment({
      STOPWATT_TABLE_NAME: table.tableName,
      STOPWATT_ACCOUNTS: JSON.stringify([
        { name: options.account, apiUrl: options.apiUrl, horizonSeconds: 0 },
      ]),
      STOPWATT_WEBHOOK_URL: options.webhookUrl,
      ...(options.snsUrl === undefined ? {} : { STOPWATT_TOPIC_ARN: TOPIC_ARN }),
    });
    const sns =
      options.snsUrl === undefined
        ? undefined
        : new Sns({ endpoint: options.snsUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const ssmClient = createSsmClient({
      endpoint: ssm.url,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const dynamo = createDynamoDbClient({
      endpoint: inject('dynamoDbEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const handler = createHandler({
      env,
      ssm: ssmClient,
      dynamo,
      sns,
      logger: new Logger({ serviceName: 'stopwatt' }),
      metrics: new Metrics({ namespace: 'Stopwatt', serviceName: 'stopwatt' }),
    });
    return (): Promise<CheckResult> => handler({ account: options.account });
  }

  /** A fresh account name per test: the notification log is per account. */
  function freshAccount(): string {
    return `acct-${randomBytes(4).toString('hex')}`;
  }

  async function notificationLog(account: string): Promise<Record<string, unknown>[]> {
    const out = await doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `NOTIFY#${account}` },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  }

  async function simulatorWithToken(token: string): Promise<AmpecoSimulator> {
    const sim = await AmpecoSimulator.start({ clock: realClock(), token });
    cleanups.push(() => sim.close());
    return sim;
  }

  it('sends the token-expiring notice once per threshold across invocations', async () => {
    // Prepare
    const hook = await receiver();
    const account = freshAccount();
    const token = jwtExpiringIn(5 * DAY_MS);
    const sim = await simulatorWithToken(token);
    ssm.set(`/stopwatt/${account}/token`, token, 'SecureString');
    const tick = newHandler({ apiUrl: sim.url, webhookUrl: hook.url, account });

    // Act
    const first = await tick();
    const second = await tick();

    // Assess
    expect(first.action).toBe('none');
    expect(second.action).toBe('none');
    const notices = hook.deliveredOf('token-expiring');
    expect(notices).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      subject: 'stopwatt: access token expires soon',
      data: { account, threshold: 14 },
    });
    expect(String(notices[0]?.message)).toContain(`\`stopwatt token set --account ${account}\``);
    const logged = await notificationLog(account);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      kind: 'notification',
      sk: expect.stringMatching(/^webhook\|token-expiring:/),
    });
    expect(logged[0]?.expiresAt).toEqual(expect.any(Number));
  });

  it('does not fail the tick when the webhook answers 500, and delivers the notice on the next tick', async () => {
    // Prepare
    const hook = await receiver();
    hook.answers.push(500);
    const account = freshAccount();
    const token = jwtExpiringIn(12 * 3_600_000);
    const sim = await simulatorWithToken(token);
    const { id } = sim.addSession({ energyWh: 3_000 });
    ssm.set(`/stopwatt/${account}/token`, token, 'SecureString');
    ssm.set(`/stopwatt/${account}/rules`, JSON.stringify({ energyKwh: 20 }));
    const tick = newHandler({ apiUrl: sim.url, webhookUrl: hook.url, account });

    // Act
    const first = await tick();
    const loggedAfterFailure = await notificationLog(account);
    const second = await tick();
    const third = await tick();

    // Assess
    expect([first.action, second.action, third.action]).toEqual(['continue', 'continue', 'continue']);
    expect(first.sessionId).toBe(id);
    expect(loggedAfterFailure).toEqual([]);
    expect(hook.received.map((r) => r.status)).toEqual([500, 200]);
    expect(hook.deliveredOf('token-expiring')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ threshold: 1 }) }),
    ]);
    expect(await notificationLog(account)).toHaveLength(1);
    const warnings = output.logs().filter((line) => line.level === 'WARN');
    expect(warnings.some((line) => String(line.message).includes('notification failed: '))).toBe(true);
    expect(output.text()).not.toContain(token);
  });

  it('e-mails (SNS) an event once even while the webhook keeps failing, and retries only the webhook', async () => {
    // Prepare
    const hook = await receiver();
    hook.defaultStatus = 404;
    const topic = await receiver();
    topic.sns = true;
    const account = freshAccount();
    const token = jwtExpiringIn(3 * DAY_MS);
    const sim = await simulatorWithToken(token);
    ssm.set(`/stopwatt/${account}/token`, token, 'SecureString');
    const tick = newHandler({ apiUrl: sim.url, webhookUrl: `${hook.url}/gone`, account, snsUrl: topic.url });

    // Act
    const actions: string[] = [];
    for (let i = 0; i < 3; i += 1) actions.push((await tick()).action);

    // Assess
    expect(actions).toEqual(['none', 'none', 'none']);
    expect(hook.received.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(topic.received).toHaveLength(1);
    const publish = new URLSearchParams(topic.received[0]?.body ?? '');
    expect(publish.get('Action')).toBe('Publish');
    expect(publish.get('TopicArn')).toBe(TOPIC_ARN);
    expect(publish.get('Subject')).toBe('stopwatt: access token expires soon');
    expect(publish.get('Message')).toContain(`\`stopwatt token set --account ${account}\``);
    expect((await notificationLog(account)).map((item) => String(item.sk).split('|')[0])).toEqual(['sns']);
    const warnings = output
      .logs()
      .filter((line) => line.level === 'WARN' && String(line.message).startsWith('notification failed'));
    expect(warnings).toHaveLength(3);
    expect(String(warnings[0]?.message)).toContain(`webhook ${hook.url} failed`);
    expect(String(warnings[0]?.message)).toContain('404');
    expect(output.text()).not.toContain('/gone');
  });

  it('sends one auth-failed notice for wrong login credentials over several ticks, naming `stopwatt login`', async () => {
    // Prepare: a fresh `stopwatt login` (no token yet) with a wrong password.
    const hook = await receiver();
    const account = freshAccount();
    const sim = await simulatorWithToken(`tok-${randomBytes(8).toString('hex')}`);
    sim.addUser({ username: 'driver@example.com', password: 'right', clientId: '1', clientSecret: 'cs' });
    const login = {
      username: 'driver@example.com',
      password: 'wrong-password',
      clientId: '1',
      clientSecret: 'cs',
    };
    ssm.set(`/stopwatt/${account}/credentials`, JSON.stringify(login), 'SecureString');
    const tick = newHandler({ apiUrl: sim.url, webhookUrl: hook.url, account });

    // Act
    const failures: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      await tick().then(
        () => failures.push('none'),
        (error: unknown) => failures.push((error as Error).name),
      );
    }

    // Assess
    expect(failures).toEqual(['AuthError', 'AuthError', 'AuthError']);
    expect(sim.loginRequests()).toHaveLength(3);
    const notices = hook.deliveredOf('auth-failed');
    expect(notices).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      subject: 'stopwatt cannot sign in to your charging account',
      data: { account },
    });
    expect(String(notices[0]?.message)).toContain('login failed with HTTP 400');
    expect(String(notices[0]?.message)).toContain(`\`stopwatt login --account ${account}\``);
    expect(hook.received[0]?.body).not.toContain('wrong-password');
  });

  it('sends one auth-failed notice in token mode when the stored token is rejected', async () => {
    // Prepare
    const hook = await receiver();
    const account = freshAccount();
    const sim = await simulatorWithToken(`tok-${randomBytes(8).toString('hex')}`);
    ssm.set(`/stopwatt/${account}/token`, 'revoked-token-value', 'SecureString');
    const tick = newHandler({ apiUrl: sim.url, webhookUrl: hook.url, account });

    // Act
    const first = await tick().then(
      () => 'ok',
      (error: unknown) => (error as Error).name,
    );
    const second = await tick().then(
      () => 'ok',
      (error: unknown) => (error as Error).name,
    );

    // Assess
    expect([first, second]).toEqual(['AuthError', 'AuthError']);
    expect(sim.loginRequests()).toEqual([]);
    const notices = hook.deliveredOf('auth-failed');
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.message)).toContain(`\`stopwatt token set --account ${account}\``);
  });

  it('sends one rules-invalid notice while the stored rules stay invalid', async () => {
    // Prepare
    const hook = await receiver();
    const account = freshAccount();
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const sim = await simulatorWithToken(token);
    ssm.set(`/stopwatt/${account}/token`, token, 'SecureString');
    ssm.set(`/stopwatt/${account}/rules`, JSON.stringify({ energyKwh: -5 }));
    const tick = newHandler({ apiUrl: sim.url, webhookUrl: hook.url, account });

    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      await tick().then(
        () => outcomes.push('ok'),
        (error: unknown) => outcomes.push((error as Error).name),
      );
    }

    // Assess
    expect(outcomes).toEqual(['ConfigError', 'ConfigError']);
    const notices = hook.deliveredOf('rules-invalid');
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.message)).toContain(`stopwatt rules set --account ${account}`);
    expect(sim.requests).toEqual([]);
  });
});
