/** Lambda Function URL events (payload format 2.0) for driving the web Lambda entry in-process. */
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import type { WebHandler } from '../../lambdas/web/lambda-handler.ts';

export const FUNCTION_URL_ORIGIN = 'https://abc123.lambda-url.eu-west-1.on.aws';

export interface UrlResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly body?: string;
}

export interface UrlRequest {
  readonly cookie?: string;
  /** A form body (application/x-www-form-urlencoded). */
  readonly body?: string;
  readonly sourceIp?: string;
}

/** The event AWS delivers for one request to the Function URL. */
export function functionUrlEvent(method: string, url: string, request: UrlRequest = {}): LambdaEvent {
  const { pathname, search, host } = new URL(url, FUNCTION_URL_ORIGIN);
  const headers: Record<string, string> = { host, 'user-agent': 'phone' };
  if (request.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const http = { method, path: pathname, protocol: 'HTTP/1.1', sourceIp: request.sourceIp ?? '203.0.113.9' };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: pathname,
    rawQueryString: search.replace(/^\?/, ''),
    headers,
    ...(request.cookie ? { cookies: [request.cookie] } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: host,
      domainPrefix: 'abc123',
      http: { ...http, userAgent: 'phone' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '02/Dec/2026:18:00:00 +0000',
      timeEpoch: Date.now(),
    },
    body: request.body,
    isBase64Encoded: false,
  } as unknown as LambdaEvent;
}

const CONTEXT = { awsRequestId: 'req-1' } as unknown as LambdaContext;

export async function sendTo(
  handler: WebHandler,
  method: string,
  url: string,
  request: UrlRequest = {},
): Promise<UrlResponse> {
  return (await handler(functionUrlEvent(method, url, request), CONTEXT)) as UrlResponse;
}

/** `name=value` of the device cookie a sign-in response sets, or null. */
export function deviceCookieOf(response: UrlResponse): string | null {
  const setCookie = response.cookies?.find((cookie) => cookie.startsWith('stopwatt_device='));
  return setCookie?.split(';')[0] ?? null;
}
