/**
 * Hostile loopback servers for the network faults of issue 12 that the simulator's fault kinds
 * do not cover. `HostileProxy` sits in front of the simulator: requests pass through unchanged
 * unless a rule matches, and then it answers with a gzip bomb. `RecordingServer` is the "other
 * host" a redirect points to: it records every request and answers as an attacker would.
 * `startTlsRedirect` is an https API that redirects to plain http.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Answers 200, `content-encoding: gzip`, with `inflatedBytes` of zeros compressed as they are read. */
export type HostileMode = { readonly kind: 'gzip-bomb'; readonly inflatedBytes: number };

export interface HostileRule {
  readonly method: string;
  readonly path: string | RegExp;
  readonly mode: HostileMode;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A loopback HTTP server that keeps track of its sockets so `close()` never waits on a drip. */
abstract class LoopbackServer {
  readonly seen: SeenRequest[] = [];
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();

  get url(): string {
    const address = this.#server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  protected async listen(): Promise<void> {
    const server = createServer((req, res) => {
      void this.#handle(req, res);
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const seen = { method: req.method ?? 'GET', path, headers: req.headers, body };
    this.seen.push(seen);
    try {
      await this.answer(seen, req, res);
    } catch {
      res.destroy();
    }
  }

  protected abstract answer(seen: SeenRequest, req: IncomingMessage, res: ServerResponse): Promise<void>;

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

export class HostileProxy extends LoopbackServer {
  readonly #upstream: URL;
  readonly #rules: HostileRule[];

  private constructor(upstream: string, rules: readonly HostileRule[]) {
    super();
    this.#upstream = new URL(upstream);
    this.#rules = [...rules];
  }

  static async start(upstream: string, rules: readonly HostileRule[]): Promise<HostileProxy> {
    const proxy = new HostileProxy(upstream, rules);
    await proxy.listen();
    return proxy;
  }

  protected async answer(seen: SeenRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rule = this.#rules.find(
      (r) =>
        r.method === seen.method &&
        (typeof r.path === 'string' ? r.path === seen.path : r.path.test(seen.path)),
    );
    const mode = rule?.mode;
    if (mode?.kind === 'gzip-bomb') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      await pipeline(zeros(mode.inflatedBytes), createGzip(), res).catch(() => undefined);
      return;
    }
    const upstream = await this.#forward(seen, req);
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  }

  #forward(
    seen: SeenRequest,
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.#upstream.host };
      const out = request(
        {
          host: this.#upstream.hostname,
          port: this.#upstream.port,
          method: seen.method,
          path: req.url,
          headers,
        },
        (upstream) => {
          const chunks: Buffer[] = [];
          upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
          upstream.on('end', () => {
            const kept: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(upstream.headers)) {
              if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding')
                kept[name] = value;
            }
            resolve({ status: upstream.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
          });
          upstream.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(seen.body);
    });
  }
}

/** `total` zero bytes, produced only as fast as they are read (memory stays flat). */
function zeros(total: number): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

/**
 * The other host of a redirect. Answers every request 200 with `body` (by default a token
 * response and an "accepted" session, so that following the redirect would look like success).
 */
export class RecordingServer extends LoopbackServer {
  readonly #body: string;

  private constructor(body: unknown) {
    super();
    this.#body = JSON.stringify(body);
  }

  static async start(
    body: unknown = { access_token: 'attacker-issued-token-0123456789', session: { id: '100001' } },
  ): Promise<RecordingServer> {
    const server = new RecordingServer(body);
    await server.listen();
    return server;
  }

  protected async answer(_seen: SeenRequest, _req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(this.#body);
  }
}

/** A self-signed certificate for 127.0.0.1, made with openssl at test time (trust it with NODE_EXTRA_CA_CERTS). */
export function selfSignedCertificate(dir: string): { certFile: string; cert: string; key: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
      .concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'])
      .concat(['-keyout', keyFile, '-out', certFile]),
    { stdio: 'ignore' },
  );
  return { certFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** An https server that answers every request with `status` and `Location: location` (to plain http). */
export async function startTlsRedirect(
  tls: { cert: string; key: string },
  status: number,
  location: string,
): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = createHttpsServer(tls, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(status, { location, 'content-length': '0' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
