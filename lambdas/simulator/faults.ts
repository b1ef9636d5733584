import type { ServerResponse } from 'node:http';
import { htmlResponse, jsonResponse, laravelMessage, type SimResponse } from './http-util.ts';

export type FaultKind =
  | 'status'
  | 'html'
  | 'malformed-json'
  | 'truncated-json'
  | 'reset'
  | 'hang'
  | 'delay'
  | 'transform'
  | 'slow-drip'
  | 'redirect';

export interface Fault {
  kind: FaultKind;
  /** e.g. 'GET' (default any). */
  method?: string;
  /** string = exact path without query; default any. */
  path?: string | RegExp;
  /** How many matching requests it applies to (default 1; Infinity allowed). */
  times?: number;
  /** For status/html (default 500). */
  status?: number;
  /** For status: JSON body (default the Laravel message for the status). */
  body?: unknown;
  /** Extra response headers, e.g. {'retry-after': '2'}. */
  headers?: Record<string, string>;
  /** For delay: wait (real ms) then answer normally. */
  delayMs?: number;
  /** For transform: the normal JSON response is passed through this. */
  transform?: (json: unknown) => unknown;
  /** For slow-drip: the normal answer's headers at once, then one body byte every `everyMs` (default 1000). */
  everyMs?: number;
  /** For redirect: the `Location` (status default 302); the request is not applied. */
  location?: string;
}

/** What the server does with a faulted request: send something, drop the socket, never answer, or wait first. */
export type FaultAction =
  | { kind: 'send'; response: SimResponse; rawBody?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number; response: () => SimResponse }
  | { kind: 'drip'; everyMs: number; response: SimResponse };

const MALFORMED_BODY = '{"data": [{"id": "CP';

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

/** Injected faults, each consumed by the next `times` matching requests in injection order. */
export class FaultQueue {
  private faults: ActiveFault[] = [];

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  take(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(({ fault, remaining }) => {
      if (remaining <= 0) return false;
      if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
      if (fault.path === undefined) return true;
      return typeof fault.path === 'string' ? fault.path === path : fault.path.test(path);
    });
    const active = this.faults[index];
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.splice(index, 1);
    return active.fault;
  }
}

function withHeaders(response: SimResponse, headers: Record<string, string> | undefined): SimResponse {
  return headers === undefined ? response : { ...response, headers: { ...response.headers, ...headers } };
}

/** The action for a fault; `answer` builds the normal response (called lazily, after any delay). */
export function faultAction(fault: Fault, answer: () => SimResponse): FaultAction {
  switch (fault.kind) {
    case 'status': {
      const status = fault.status ?? 500;
      const value = fault.body === undefined ? { message: laravelMessage(status) } : fault.body;
      return { kind: 'send', response: jsonResponse(status, value, fault.headers) };
    }
    case 'html':
      return { kind: 'send', response: htmlResponse(fault.status ?? 500, fault.headers) };
    case 'malformed-json':
      return { kind: 'send', response: jsonResponse(200, null, fault.headers), rawBody: MALFORMED_BODY };
    case 'truncated-json': {
      const normal = answer();
      const cut = normal.body.slice(0, Math.floor(normal.body.length / 2));
      return { kind: 'send', response: { ...withHeaders(normal, fault.headers), status: 200 }, rawBody: cut };
    }
    case 'reset':
    case 'hang':
      return { kind: fault.kind };
    case 'delay':
      return {
        kind: 'delay',
        ms: fault.delayMs ?? 1000,
        response: () => withHeaders(answer(), fault.headers),
      };
    case 'slow-drip':
      return { kind: 'drip', everyMs: fault.everyMs ?? 1000, response: withHeaders(answer(), fault.headers) };
    case 'redirect': {
      const headers = { ...fault.headers, location: fault.location ?? '/' };
      return { kind: 'send', response: { status: fault.status ?? 302, headers, body: '' } };
    }
    case 'transform': {
      const normal = answer();
      const transform = fault.transform ?? ((json: unknown) => json);
      const transformed = transform(JSON.parse(normal.body));
      return {
        kind: 'send',
        response: jsonResponse(normal.status, transformed, { ...normal.headers, ...fault.headers }),
      };
    }
  }
}

/**
 * Sends status and headers at once, then the body one byte every `everyMs` (a slow-drip server).
 * Returns the interval timer so the server can clear it on close.
 */
export function dripBody(res: ServerResponse, response: SimResponse, everyMs: number): NodeJS.Timeout {
  const bytes = Buffer.from(response.body);
  res.writeHead(response.status, { ...response.headers, 'content-length': String(bytes.length) });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= bytes.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
  }, everyMs);
  return timer;
}
