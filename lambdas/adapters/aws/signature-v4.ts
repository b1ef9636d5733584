/**
 * AWS Signature Version 4 for the JSON and query-protocol POSTs stopwatt makes (no query string,
 * the whole body hashed). node:crypto only; checked against the SDK's own signer in the tests.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from './credentials.ts';

export interface SignableRequest {
  readonly url: URL;
  /** Lower-case names. `host`, `x-amz-date` and the session token are added here. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigningScope {
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** The request's headers plus `authorization`, `x-amz-date` (and `x-amz-security-token`). */
export function signedHeaders(request: SignableRequest, scope: SigningScope): Record<string, string> {
  const amzDate = scope.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.url.host,
    'x-amz-date': amzDate,
  };
  if (scope.credentials.sessionToken) headers['x-amz-security-token'] = scope.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map(
    (name) => `${name}:${String(headers[name]).trim().replace(/\s+/g, ' ')}\n`,
  );
  const signed = names.join(';');
  const canonical = [
    'POST',
    canonicalPath(request.url),
    '',
    canonicalHeaders.join(''),
    signed,
    sha256Hex(request.body),
  ];
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = [ALGORITHM, amzDate, credentialScope, sha256Hex(canonical.join('\n'))].join('\n');
  let key = hmac(`AWS4${scope.credentials.secretAccessKey}`, day);
  for (const part of [scope.region, scope.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signed}, Signature=${signature}`;
  return headers;
}

/**
 * The URL's path (already percent-encoded once) with each segment encoded again: every service
 * but S3 signs the double-encoded path. Endpoints normally have the path `/`.
 */
function canonicalPath(url: URL): string {
  return url.pathname.split('/').map(uriEncode).join('/');
}

/** RFC 3986 percent-encoding, as AWS canonicalises it (`encodeURIComponent` leaves `!'()*`). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
