/**
 * A loopback HTTP proxy in front of DynamoDB Local that can answer chosen operations with a
 * DynamoDB error instead of forwarding them, so a test can make one write (e.g. the stop claim,
 * an UpdateItem) fail while every other call reaches the real server. Real SDK, real HTTP.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoDbFault {
  /** The operation, e.g. `UpdateItem` (the `x-amz-target` without `DynamoDB_20120810.`). */
  readonly operation: string;
  /** DynamoDB error code, e.g. `AccessDeniedException`, `ProvisionedThroughputExceededException`. */
  readonly code: string;
  /** @default 400 */
  readonly status?: number;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  /**
   * `reject` (default): answer with the error, DynamoDB never sees the request. `lose-response`:
   * forward it (DynamoDB applies it), then answer the client with the error instead of the real
   * response, as when the response is lost on the way back (timeout, reset, 5xx from a proxy).
   */
  readonly mode?: 'reject' | 'lose-response';
}

const CODE_PREFIX: Readonly<Record<string, string>> = {
  AccessDeniedException: 'com.amazon.coral.service#',
  UnrecognizedClientException: 'com.amazon.coral.service#',
};

export class DynamoDbFaultProxy {
  /** Operations received, in order (`UpdateItem`, `PutItem`, ...), faulted or not. */
  readonly operations: string[] = [];
  private readonly faults: Array<DynamoDbFault & { remaining: number }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<DynamoDbFaultProxy> {
    const upstream = new URL(target);
    let instance: DynamoDbFaultProxy | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const rawTarget = req.headers['x-amz-target'];
        const operation = typeof rawTarget === 'string' ? rawTarget.replace(/^DynamoDB_\d+\./, '') : '';
        instance?.operations.push(operation);
        const fault = instance?.take(operation);
        const sendFault = (injected: DynamoDbFault): void => {
          const text = JSON.stringify({
            __type: `${CODE_PREFIX[injected.code] ?? 'com.amazonaws.dynamodb.v20120810#'}${injected.code}`,
            message: `injected ${injected.code} for ${operation}`,
          });
          res.writeHead(injected.status ?? 400, {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(text),
            'x-amzn-requestid': `fault-${instance?.operations.length ?? 0}`,
          });
          res.end(text);
        };
        if (fault && fault.mode !== 'lose-response') {
          sendFault(fault);
          return;
        }
        const forward = request(
          {
            hostname: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, 'content-length': String(body.length) },
          },
          (answer) => {
            if (fault) {
              answer.resume();
              answer.on('end', () => sendFault(fault));
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        forward.end(body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new DynamoDbFaultProxy(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  /** The next `times` requests for `operation` are answered with the error instead of forwarded. */
  fail(fault: DynamoDbFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults.length = 0;
    this.operations.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  private take(operation: string): DynamoDbFault | undefined {
    const index = this.faults.findIndex((fault) => fault.operation === operation && fault.remaining > 0);
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}
