/**
 * A loopback HTTP proxy that holds requests for one path until `parties` of them have arrived,
 * then forwards them all at once: a barrier that makes several clients read the same answer at
 * the same moment, so they race on what they do next (e.g. the stop claim). Every other request
 * is forwarded at once. A held request is released after `maxHoldMs` even if the others never come.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RequestGateOptions {
  /** Upstream root, e.g. the simulator's url. */
  readonly target: string;
  /** Exact path (without query) to gate. */
  readonly path: string;
  /** Requests to collect before releasing them together. */
  readonly parties: number;
  /** @default 10000 */
  readonly maxHoldMs?: number;
}

export class RequestGate {
  /** Batches released so far (each a list of arrival offsets in ms from the batch's first arrival). */
  readonly batches: number[][] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: RequestGateOptions): Promise<RequestGate> {
    const upstream = new URL(options.target);
    let held: Array<{ at: number; release: () => void }> = [];
    let timer: NodeJS.Timeout | null = null;
    let gate: RequestGate | null = null;
    const releaseAll = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      const batch = held;
      held = [];
      const first = batch[0]?.at ?? 0;
      gate?.batches.push(batch.map((entry) => entry.at - first));
      for (const entry of batch) entry.release();
    };
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const forward = (): void => {
          const upstreamRequest = request(
            {
              hostname: upstream.hostname,
              port: upstream.port,
              method: req.method,
              path: req.url,
              headers: { ...req.headers, 'content-length': String(body.length) },
            },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstreamRequest.on('error', () => {
            if (!res.headersSent) res.writeHead(502);
            res.end();
          });
          upstreamRequest.end(body);
        };
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        if (path !== options.path) {
          forward();
          return;
        }
        held.push({ at: performance.now(), release: forward });
        if (held.length >= options.parties) {
          releaseAll();
        } else if (timer === null) {
          timer = setTimeout(releaseAll, options.maxHoldMs ?? 10_000);
          timer.unref();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    gate = new RequestGate(server, `http://127.0.0.1:${port}`);
    return gate;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }
}
