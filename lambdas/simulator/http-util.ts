import type { IncomingMessage } from 'node:http';

/** A fully built HTTP answer of the simulator. */
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad Request.',
  401: 'Unauthenticated.',
  403: 'This action is unauthorized.',
  404: 'Not found.',
  405: 'Method Not Allowed.',
  419: 'Page Expired.',
  422: 'The given data was invalid.',
  429: 'Too Many Attempts.',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The message Laravel puts in `{"message": ...}` for an HTTP status. */
export function laravelMessage(status: number): string {
  return MESSAGES[status] ?? (status >= 500 ? 'Server Error' : 'Error.');
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private', ...headers },
    body: JSON.stringify(value) ?? '',
  };
}

export function messageResponse(status: number, message: string = laravelMessage(status)): SimResponse {
  return jsonResponse(status, { message });
}

export function methodNotAllowed(method: string, path: string, allowed: string): SimResponse {
  return jsonResponse(405, {
    message: `The ${method} method is not supported for route ${path.slice(1)}. Supported methods: ${allowed}.`,
  });
}

export function htmlResponse(status: number, headers: Record<string, string> = {}): SimResponse {
  const title = laravelMessage(status);
  return {
    status,
    headers: { 'content-type': 'text/html; charset=UTF-8', 'cache-control': 'no-cache, private', ...headers },
    body: `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${status} | ${title}</h1></body></html>`,
  };
}

/** Narrows an unknown JSON value to a plain object, or throws. */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Narrows an unknown JSON value to an array, or throws. */
export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${what} is not a JSON array`);
  }
  return value;
}

/** `2025-03-30T14:33:51+00:00` (whole seconds, as on AMPECO sessions). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** `2025-03-30T14:33:51.000000Z` (as on AMPECO charging periods). */
export function isoMicros(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '.000000Z');
}

/** Request headers with lower-case names, repeated ones joined by ", ". */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
