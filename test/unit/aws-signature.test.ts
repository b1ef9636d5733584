import { marshall as sdkMarshall } from '@aws-sdk/util-dynamodb';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marshall, unmarshall } from '../../lambdas/adapters/aws/dynamodb.ts';
import { signedHeaders } from '../../lambdas/adapters/aws/signature-v4.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** The SDK's signer on the same request: the reference the hand-written one must match. */
async function sdkAuthorization(
  url: URL,
  headers: Record<string, string>,
  body: string,
  scope: { service: string; region: string; sessionToken?: string; now: Date },
): Promise<string> {
  const signer = new SignatureV4({
    credentials: { ...CREDENTIALS, sessionToken: scope.sessionToken },
    region: scope.region,
    service: scope.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate: scope.now },
  );
  return String(signed.headers.authorization);
}

describe('SigV4 signing', () => {
  it('signs exactly as the AWS SDK does, for any body, headers, region and session token', async () => {
    // Prepare: fixed seed, so the cases run are the same every time.
    const cases = fc.record({
      body: fc.string({ unit: 'binary' }),
      target: fc.constantFrom('DynamoDB_20120810.GetItem', 'AmazonSSM.GetParameter'),
      extra: fc.string({ minLength: 1 }).map((v) => ` ${v}  x `),
      region: fc.constantFrom('eu-west-1', 'us-east-1', 'cn-north-1'),
      service: fc.constantFrom('dynamodb', 'ssm', 'sns'),
      endpoint: fc.constantFrom(
        'https://dynamodb.eu-west-1.amazonaws.com',
        'http://127.0.0.1:8123',
        'http://localhost:4566/',
      ),
      sessionToken: fc.option(fc.base64String({ minLength: 4 }), { nil: undefined }),
      now: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
    });

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const url = new URL(c.endpoint);
        const headers = {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': c.target,
          'x-extra': c.extra,
        };
        const ours = signedHeaders(
          { url, headers, body: c.body },
          {
            service: c.service,
            region: c.region,
            credentials: { ...CREDENTIALS, sessionToken: c.sessionToken },
            now: c.now,
          },
        );
        const theirs = await sdkAuthorization(url, headers, c.body, { ...c, now: c.now });
        expect(ours.authorization).toBe(theirs);
        expect(ours['x-amz-security-token']).toBe(c.sessionToken);
      }),
      { seed: 20260601, numRuns: 100 },
    );
  });
});

describe('DynamoDB attribute values', () => {
  const plain = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.double({ noNaN: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
    ),
  })).value;

  it('marshalls plain values as the SDK does and reads them back unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), plain, { maxKeys: 4 }), (item) => {
        const ours = marshall(item);
        expect(ours).toEqual({ M: sdkMarshall(item, { convertEmptyValues: false }) });
        expect(unmarshall(ours)).toEqual(JSON.parse(JSON.stringify(item)));
      }),
      { seed: 20260602, numRuns: 500 },
    );
  });

  it('drops undefined map values and refuses what DynamoDB cannot hold', () => {
    expect(marshall({ a: 1, b: undefined })).toEqual({ M: { a: { N: '1' } } });
    expect(() => marshall(Number.NaN)).toThrow(/cannot store the number NaN/);
    expect(() => marshall(2 ** 53)).toThrow(/cannot store the number 9007199254740992/);
    expect(() => marshall(new Date(0))).toThrow(/cannot store/);
    expect(() => unmarshall({ SS: ['a'] })).toThrow(/unsupported DynamoDB attribute value: SS/);
  });
});
