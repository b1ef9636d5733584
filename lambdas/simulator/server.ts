/** A simulated AMPECO app API on loopback (fixtures, a charging clock, login, faults) for `simulate`, `npm start` and tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { adminResponse } from './admin.ts';
import { type ApiState, END_PATH, OAUTH_PATH, routeApi } from './api-routes.ts';
import { realClock, type SimClock } from './clock.ts';
import { dripBody, type Fault, FaultQueue, faultAction } from './faults.ts';
import { flattenHeaders, messageResponse, readBody, type SimResponse } from './http-util.ts';
import { OAuthServer, type SimUser } from './oauth.ts';
import { isEndRequest, type RecordedRequest } from './recorded-request.ts';
import { SimSession, type SimSessionOptions, type SimSessionState } from './session-model.ts';

export { acceleratedClock, ManualClock, realClock, type SimClock } from './clock.ts';
export type { Fault, FaultKind } from './faults.ts';
export type { SimUser } from './oauth.ts';
export type { RecordedRequest } from './recorded-request.ts';
export type { SimSessionOptions, SimSessionState } from './session-model.ts';

export interface SimulatorOptions {
  /** Default realClock(). */
  clock?: SimClock;
  /** Accepted bearer token; null/undefined = any non-empty bearer accepted. */
  token?: string | null;
  /** Default true; false = GET /session/active answers 404 always. */
  activeEndpoint?: boolean;
  /** Default true; false = the account has no home charger: charge-points answers `data: []` (sessions added as `personal` still appear there). */
  homeChargers?: boolean;
  /** Default 0 (random). */
  port?: number;
  /** Id of the first session added without one (default 100001); later ones count up. */
  firstSessionId?: number;
}

const ADMIN_PREFIX = '/__sim/';

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
  private readonly faults = new FaultQueue();
  private readonly api: ApiState;
  private nextId: number;
  private createdCount = 0;
  private closing: Promise<void> | null = null;

  private constructor(server: Server, url: string, options: SimulatorOptions) {
    this.server = server;
    this.url = url;
    this.clock = options.clock ?? realClock();
    this.nextId = options.firstSessionId ?? 100001;
    this.api = {
      sessions: this.sessions,
      oauth: this.oauth,
      activeEndpoint: options.activeEndpoint ?? true,
      homeChargers: options.homeChargers ?? true,
      token: options.token ?? null,
    };
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
    this.faults.inject(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setToken(token: string | null): void {
    this.api.token = token;
  }

  endRequests(sessionId?: string): RecordedRequest[] {
    return this.requests.filter((request) => isEndRequest(request, sessionId));
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

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (path.startsWith(ADMIN_PREFIX)) {
      this.safeSend(res, null, adminResponse(this.adminTarget(), method, path, body));
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

  private adminTarget() {
    const now = this.clock.now();
    return {
      states: () => [...this.sessions.values()].map((session) => session.state(now)),
      requestCount: () => this.requests.length,
      hasSession: (id: string) => this.sessions.has(id),
      addSession: (options: SimSessionOptions) => this.addSession(options),
      clock: () => ({ nowMs: this.clock.now(), speed: this.clock.speed }),
    };
  }

  private async answerRecorded(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    body: string,
  ): Promise<void> {
    const { method, path, headers } = record;
    const answer = (): SimResponse => routeApi(this.api, { method, path, headers, body }, this.clock.now());
    const fault = this.faults.take(method, path);
    if (fault === undefined) {
      this.safeSend(res, record, answer());
      return;
    }
    const action = faultAction(fault, answer);
    switch (action.kind) {
      case 'send':
        this.safeSend(res, record, action.response, action.rawBody);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
      case 'delay':
        await this.sleep(action.ms);
        this.safeSend(res, record, action.response());
        return;
      case 'drip':
        record.status = action.response.status;
        this.timers.add(dripBody(res, action.response, action.everyMs));
        return;
    }
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
}
