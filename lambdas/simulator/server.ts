/**
 * A simulated AMPECO driver-app API on 127.0.0.1: fixture-shaped responses, a charging curve over a
 * controllable clock, asynchronous stop, Passport-style login and fault injection (DESIGN.md §4, §9).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { realClock, type SimClock } from './simulator/clock.ts';
import {
  htmlResponse,
  jsonResponse,
  laravelMessage,
  messageResponse,
  type SimResponse,
} from './simulator/http-util.ts';
import { OAuthServer, type SimUser } from './simulator/oauth.ts';
import {
  CHARGE_POINTS_FIXTURE,
  chargePointJson,
  SimSession,
  type SimSessionOptions,
  type SimSessionState,
} from './simulator/session-model.ts';

export { acceleratedClock, ManualClock, realClock, type SimClock } from './simulator/clock.ts';
export type { SimUser } from './simulator/oauth.ts';
export type { SimSessionOptions, SimSessionState } from './simulator/session-model.ts';

export type FaultKind =
  | 'status'
  | 'html'
  | 'malformed-json'
  | 'truncated-json'
  | 'reset'
  | 'hang'
  | 'delay'
  | 'transform';

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
}

export interface RecordedRequest {
  method: string;
  /** Without query. */
  path: string;
  query: string;
  /** Lower-case names, as received. */
  headers: Record<string, string>;
  /** Sim clock at arrival. */
  atMs: number;
  /** Status sent, 0 for reset/hang (or not answered yet). */
  status: number;
  /** For /session/{id}/end: that session's exact meter (Wh) at arrival, else null. */
  sessionEnergyWh: number | null;
}

export interface SimulatorOptions {
  /** Default realClock(). */
  clock?: SimClock;
  /** Accepted bearer token; null/undefined = any non-empty bearer accepted. */
  token?: string | null;
  /** Default true; false = GET /session/active answers 404 always. */
  activeEndpoint?: boolean;
  /** Default 0 (random). */
  port?: number;
}

const API = '/api/v1/app';
const CHARGE_POINTS_PATH = `${API}/personal/charge-points`;
const ACTIVE_PATH = `${API}/session/active`;
const OAUTH_PATH = `${API}/oauth/token`;
const SESSION_PATH = /^\/api\/v1\/app\/session\/([^/]+)$/;
const END_PATH = /^\/api\/v1\/app\/session\/([^/]+)\/end$/;
const ADMIN_PREFIX = '/__sim/';
const MALFORMED_BODY = '{"data": [{"id": "CP';

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

function methodNotAllowed(method: string, path: string, allowed: string): SimResponse {
  return jsonResponse(405, {
    message: `The ${method} method is not supported for route ${path.slice(1)}. Supported methods: ${allowed}.`,
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses an admin `POST /__sim/sessions` body (numbers, strings and booleans only). */
function parseSessionOptions(body: string): SimSessionOptions | string {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return 'Body is not valid JSON.';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'Body must be a JSON object.';
  const options: SimSessionOptions = {};
  const enums: Record<string, readonly string[]> = {
    where: ['personal', 'public'],
    status: ['starting', 'active', 'stopping', 'finished'],
    chargingState: ['eVConnected', 'charging', 'suspendedEV', 'suspendedEVSE'],
  };
  const numbers = new Set([
    'powerKw',
    'energyWh',
    'capacityKwh',
    'spotPrice',
    'markup',
    'minPrice',
    'stopDelayMs',
  ]);
  for (const [key, value] of Object.entries(parsed)) {
    const allowed = enums[key];
    if (key === 'id' && typeof value === 'string' && value !== '') {
      options.id = value;
    } else if (allowed !== undefined && typeof value === 'string' && allowed.includes(value)) {
      Object.assign(options, { [key]: value });
    } else if (numbers.has(key) && typeof value === 'number' && Number.isFinite(value)) {
      Object.assign(options, { [key]: value });
    } else if (key === 'startedAt' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
      options.startedAt = new Date(value);
    } else if (key === 'withLastPeriod' && typeof value === 'boolean') {
      options.withLastPeriod = value;
    } else {
      return `Invalid value for ${key}.`;
    }
  }
  return options;
}

export class AmpecoSimulator {
  /** Tenant root, e.g. http://127.0.0.1:45678 (clients append /api/v1/...). */
  readonly url: string;
  readonly clock: SimClock;
  readonly requests: RecordedRequest[] = [];

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sessions = new Map<string, SimSession>();
  private readonly oauth = new OAuthServer();
  private readonly activeEndpoint: boolean;
  private faults: ActiveFault[] = [];
  private token: string | null;
  private nextId = 100001;
  private createdCount = 0;
  private closing: Promise<void> | null = null;

  private constructor(server: Server, url: string, options: SimulatorOptions) {
    this.server = server;
    this.url = url;
    this.clock = options.clock ?? realClock();
    this.token = options.token ?? null;
    this.activeEndpoint = options.activeEndpoint ?? true;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch(() => {
        this.safeSend(res, null, messageResponse(500));
      });
    });
  }

  static async start(options: SimulatorOptions = {}): Promise<AmpecoSimulator> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('simulator: no TCP address');
    return new AmpecoSimulator(server, `http://127.0.0.1:${address.port}`, options);
  }

  addSession(options: SimSessionOptions = {}): SimSessionState {
    let id = options.id;
    if (id === undefined) {
      while (this.sessions.has(String(this.nextId))) this.nextId += 1;
      id = String(this.nextId);
      this.nextId += 1;
    }
    if (this.sessions.has(id)) throw new Error(`simulator: session ${id} already exists`);
    this.createdCount += 1;
    const now = this.clock.now();
    const session = new SimSession(id, this.createdCount, options, now);
    this.sessions.set(id, session);
    return session.state(now);
  }

  session(id: string): SimSessionState | null {
    return this.sessions.get(id)?.state(this.clock.now()) ?? null;
  }

  removeSession(id: string): void {
    this.sessions.delete(id);
  }

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  endRequests(sessionId?: string): RecordedRequest[] {
    return this.requests.filter((request) => {
      if (request.method !== 'POST') return false;
      const match = END_PATH.exec(request.path);
      return match !== null && (sessionId === undefined || match[1] === sessionId);
    });
  }

  addUser(user: SimUser): void {
    this.oauth.addUser(user);
  }

  loginRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === OAUTH_PATH);
  }

  close(): Promise<void> {
    if (this.closing === null) {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.closing = new Promise<void>((resolve) => {
        this.server.close(() => resolve());
      });
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    }
    return this.closing;
  }

  // ---------------------------------------------------------------- request handling

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (path.startsWith(ADMIN_PREFIX)) {
      this.safeSend(res, null, this.admin(method, path, body));
      return;
    }
    const now = this.clock.now();
    const endMatch = END_PATH.exec(path);
    const endSession = endMatch?.[1] === undefined ? undefined : this.sessions.get(endMatch[1]);
    const record: RecordedRequest = {
      method,
      path,
      query: url.search.replace(/^\?/, ''),
      headers: flattenHeaders(req),
      atMs: now,
      status: 0,
      sessionEnergyWh: endSession === undefined ? null : endSession.energy(now),
    };
    this.requests.push(record);
    try {
      await this.answerRecorded(req, res, record, body);
    } catch {
      this.safeSend(res, record, messageResponse(500));
    }
  }

  private async answerRecorded(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    body: string,
  ): Promise<void> {
    const { method, path } = record;
    const fault = this.takeFault(method, path);
    const answer = (): SimResponse => this.route(method, path, record.headers, body);
    if (fault === undefined) {
      this.safeSend(res, record, answer());
      return;
    }
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 500;
        const value = fault.body === undefined ? { message: laravelMessage(status) } : fault.body;
        this.safeSend(res, record, jsonResponse(status, value, fault.headers));
        return;
      }
      case 'html':
        this.safeSend(res, record, htmlResponse(fault.status ?? 500, fault.headers));
        return;
      case 'malformed-json':
        this.safeSend(res, record, jsonResponse(200, null, fault.headers), MALFORMED_BODY);
        return;
      case 'truncated-json': {
        const normal = answer();
        const cut = normal.body.slice(0, Math.floor(normal.body.length / 2));
        this.safeSend(
          res,
          record,
          { ...normal, status: 200, headers: { ...normal.headers, ...fault.headers } },
          cut,
        );
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
      case 'delay':
        await this.sleep(fault.delayMs ?? 1000);
        this.safeSend(res, record, this.withHeaders(answer(), fault.headers));
        return;
      case 'transform': {
        const normal = answer();
        const transform = fault.transform ?? ((json: unknown) => json);
        const transformed = transform(JSON.parse(normal.body));
        this.safeSend(
          res,
          record,
          jsonResponse(normal.status, transformed, { ...normal.headers, ...fault.headers }),
        );
        return;
      }
    }
  }

  private withHeaders(response: SimResponse, headers: Record<string, string> | undefined): SimResponse {
    return headers === undefined ? response : { ...response, headers: { ...response.headers, ...headers } };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private takeFault(method: string, path: string): Fault | undefined {
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

  /** Writes a response unless the socket is gone; a `rawBody` overrides the body (for broken bodies). */
  private safeSend(
    res: ServerResponse,
    record: RecordedRequest | null,
    response: SimResponse,
    rawBody: string = response.body,
  ): void {
    if (res.headersSent || res.destroyed || res.writableEnded) return;
    if (record !== null) record.status = response.status;
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': String(Buffer.byteLength(rawBody)),
    });
    res.end(rawBody);
  }

  private authorized(headers: Record<string, string>): boolean {
    const match = /^Bearer\s+(\S.*)$/i.exec(headers.authorization ?? '');
    const presented = match?.[1]?.trim();
    if (presented === undefined || presented === '') return false;
    return this.token === null || presented === this.token;
  }

  private route(method: string, path: string, headers: Record<string, string>, body: string): SimResponse {
    const now = this.clock.now();
    if (path === OAUTH_PATH) {
      if (method !== 'POST') return methodNotAllowed(method, path, 'POST');
      return this.oauth.handle(body, now, (token) => this.setToken(token));
    }
    const endMatch = END_PATH.exec(path);
    const sessionMatch = SESSION_PATH.exec(path);
    const known =
      path === CHARGE_POINTS_PATH || path === ACTIVE_PATH || endMatch !== null || sessionMatch !== null;
    if (!known) return messageResponse(404, 'Not found.');
    const expected = endMatch !== null ? 'POST' : 'GET';
    if (method !== expected && !(expected === 'GET' && method === 'HEAD')) {
      return methodNotAllowed(method, path, expected === 'GET' ? 'GET, HEAD' : 'POST');
    }
    if (!this.authorized(headers)) return messageResponse(401, 'Unauthenticated.');

    if (path === CHARGE_POINTS_PATH) return jsonResponse(200, this.chargePoints(now));
    if (path === ACTIVE_PATH) {
      if (!this.activeEndpoint) return messageResponse(404, 'Not found.');
      const open = [...this.sessions.values()].find((session) => session.status(now) !== 'finished');
      if (open === undefined) return messageResponse(404, 'No active session.');
      return jsonResponse(200, { session: open.toJson(now), carBatteryPercent: '' });
    }
    if (endMatch?.[1] !== undefined) {
      const session = this.sessions.get(endMatch[1]);
      if (session === undefined || !session.requestEnd(now))
        return messageResponse(404, 'Session not found.');
      return jsonResponse(200, { session: session.toJson(now) });
    }
    const session = sessionMatch?.[1] === undefined ? undefined : this.sessions.get(sessionMatch[1]);
    if (session === undefined) return messageResponse(404, 'Session not found.');
    return jsonResponse(200, { session: session.toJson(now) });
  }

  private chargePoints(now: number): Record<string, unknown> {
    const personal = [...this.sessions.values()].filter((session) => session.where === 'personal');
    const data =
      personal.length === 0
        ? [chargePointJson(1, null, now)]
        : personal.map((session) => session.chargePointJson(now));
    return { ...CHARGE_POINTS_FIXTURE, data };
  }

  private admin(method: string, path: string, body: string): SimResponse {
    const now = this.clock.now();
    if (path === '/__sim/state') {
      if (method !== 'GET') return methodNotAllowed(method, path, 'GET');
      const sessions = [...this.sessions.values()].map((session) => session.state(now));
      return jsonResponse(200, { sessions, requests: this.requests.length });
    }
    if (path === '/__sim/sessions') {
      if (method !== 'POST') return methodNotAllowed(method, path, 'POST');
      const options = parseSessionOptions(body);
      if (typeof options === 'string') return messageResponse(422, options);
      if (options.id !== undefined && this.sessions.has(options.id)) {
        return messageResponse(422, `Session ${options.id} already exists.`);
      }
      return jsonResponse(201, this.addSession(options));
    }
    return messageResponse(404, 'Not found.');
  }
}
