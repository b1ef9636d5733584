/**
 * stopwatt's AWS client against a loopback server that answers as AWS does: what it sends, which
 * failures it retries, and what it reports. (DynamoDB Local, the SSM server and the SNS receiver
 * in the other integration tests run the stores through it end to end.)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Sns } from '../../lambdas/adapters/aws/sns.ts';
import { Ssm } from '../../lambdas/adapters/aws/ssm.ts';
import { AwsError } from '../../lambdas/errors.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDTEST',
  secretAccessKey: 'secret-test-key',
  sessionToken: 'session-tok',
};

interface Seen {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Answers each request with the next of `answers` (status, content type, body). */
async function awsLike(answers: Array<[number, string, string]>): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const [status, type, body] = answers.shift() ?? [500, 'text/plain', 'no more answers'];
      res.writeHead(status, { 'content-type': type }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const snsError = (code: string, message: string) =>
  `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

describe('the AWS client', () => {
  it('signs with the session token and sends the SNS query form', async () => {
    // Prepare
    const aws = await awsLike([[200, 'text/xml', '<PublishResponse/>']]);
    const sns = new Sns({ endpoint: aws.url, region: 'eu-west-1', credentials: CREDENTIALS });

    // Act
    await sns.publish({
      TopicArn: 'arn:aws:sns:eu-west-1:1:t',
      Subject: 'a b',
      Message: 'x&y=z',
      MessageAttributes: { kind: 'session-ended' },
    });

    // Assess
    const [request] = aws.seen;
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/sns\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-security-token']).toBe('session-tok');
    const form = new URLSearchParams(request?.body ?? '');
    expect(Object.fromEntries(form)).toEqual({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: 'arn:aws:sns:eu-west-1:1:t',
      Subject: 'a b',
      Message: 'x&y=z',
      'MessageAttributes.entry.1.Name': 'kind',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'session-ended',
    });
  });

  it('reports an SNS refusal with its code and message, without retrying it', async () => {
    // Prepare
    const aws = await awsLike([[403, 'text/xml', snsError('AuthorizationError', 'not &quot;allowed&quot;')]]);
    const sns = new Sns({ endpoint: aws.url, region: 'eu-west-1', credentials: CREDENTIALS });

    // Act
    const error = await sns.publish({ TopicArn: 'arn:t', Message: 'm' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'AuthorizationError', status: 403, message: 'not "allowed"' });
    expect(aws.seen).toHaveLength(1);
  });

  it('retries throttling and 5xx up to its attempts, then reports the last failure', async () => {
    // Prepare
    const throttled: [number, string, string] = [
      400,
      'application/x-amz-json-1.1',
      JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
    ];
    const aws = await awsLike([throttled, [503, 'text/html', '<html>busy</html>'], throttled]);
    const ssm = new Ssm({ endpoint: aws.url, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 3 });

    // Act
    const error = await ssm.getParameter({ Name: '/x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
    expect(aws.seen).toHaveLength(3);
    expect(aws.seen.map((r) => r.headers['x-amz-target'])).toEqual(Array(3).fill('AmazonSSM.GetParameter'));
  });

  it('names a 5xx without an AWS body by its status', async () => {
    // Prepare
    const aws = await awsLike([[502, 'text/html', '<html>bad gateway</html>']]);
    const ssm = new Ssm({ endpoint: aws.url, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 1 });

    // Act
    const error = await ssm.getParameter({ Name: '/x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'HTTP 502', status: 502 });
  });

  it('bounds each call in time and keeps the secret key out of what it reports', async () => {
    // Prepare: a server that never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const ssm = new Ssm({
      endpoint: url,
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      maxAttempts: 2,
      timeoutMs: 200,
    });

    // Act
    const error = await ssm.getParameter({ Name: '/x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'NetworkError', status: null });
    expect((error as Error).message).toMatch(/SSM GetParameter: no answer in time/);
    const reported = `${(error as Error).message} ${String((error as Error).cause)}`;
    expect(reported).not.toContain(CREDENTIALS.secretAccessKey);
    expect(reported).not.toContain(CREDENTIALS.sessionToken);
  });

  it('takes region, endpoint and credentials from the environment, as Lambda sets them', async () => {
    // Prepare
    const aws = await awsLike([
      [200, 'application/x-amz-json-1.1', '{"Parameter":{"Name":"/x","Value":"v","Version":3}}'],
    ]);
    const env = {
      AWS_REGION: 'eu-north-1',
      AWS_ACCESS_KEY_ID: 'AKIDENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_ENDPOINT_URL_SSM: aws.url,
    };

    // Act
    const out = await new Ssm({ env }).getParameter({ Name: '/x' });

    // Assess
    expect(out.Parameter).toEqual({ Name: '/x', Value: 'v', Version: 3 });
    expect(aws.seen[0]?.headers.authorization).toContain('Credential=AKIDENV/');
    expect(aws.seen[0]?.headers.authorization).toContain('/eu-north-1/ssm/aws4_request');
    expect(aws.seen[0]?.headers['x-amz-security-token']).toBeUndefined();
  });
});
