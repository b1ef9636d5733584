/**
 * A loopback server speaking the SSM JSON 1.1 protocol for the operations stopwatt uses, so the
 * real SSMClient can be tested without AWS and without SDK mocks. Not a full SSM: no paths,
 * labels, tiers or policies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SsmParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  type: SsmParameterType;
  value: string;
  version: number;
  /** Epoch milliseconds. */
  lastModified: number;
}

export interface RecordedRequest {
  /** The operation, e.g. `GetParameter` (the `x-amz-target` without `AmazonSSM.`). */
  readonly target: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parameters this request read, and how (see ParameterReads). */
  readonly reads: Array<{ readonly name: string; readonly kind: keyof ParameterReads }>;
}

/** GetParameter(s) answers for one name, as AWS would bill them. */
export interface ParameterReads {
  /** A SecureString's value returned with WithDecryption: one KMS Decrypt each in AWS. */
  decrypted: number;
  /** Answers without a decrypt: a String, or a SecureString's version and encrypted value. */
  plain: number;
  /** ParameterNotFound. */
  missing: number;
}

interface InjectedFault {
  readonly code: string;
  readonly status: number;
  remaining: number;
}

class SsmFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const REGION = 'eu-west-1';
const ACCOUNT_ID = '123456789012';
const JSON_11 = 'application/x-amz-json-1.1';

/** The HTTP status SSM uses for an error code: 5xx for server faults, 400 for everything else. */
function statusFor(code: string): number {
  if (code === 'InternalServerError' || code === 'InternalFailure') return 500;
  if (code === 'ServiceUnavailable') return 503;
  return 400;
}

export class SsmServer {
  /** Stored parameters by name. Tests may read and seed it directly. */
  readonly parameters = new Map<string, StoredParameter>();
  /** Every request received, including the ones answered with an injected fault. */
  readonly requests: RecordedRequest[] = [];
  private readonly faults: InjectedFault[] = [];
  private requestCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<SsmServer> {
    let instance: SsmServer | null = null;
    const server = createServer((req, res) => {
      if (instance) instance.handle(req, res);
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new SsmServer(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  /** The next `times` requests fail with `code` (e.g. ThrottlingException, InternalServerError). */
  failNext(code: string, times = 1, status: number = statusFor(code)): void {
    this.faults.push({ code, status, remaining: times });
  }

  /** Seeds a parameter as if PutParameter had stored it. */
  set(name: string, value: string, type: SsmParameterType = 'String'): void {
    const previous = this.parameters.get(name);
    this.parameters.set(name, {
      type,
      value,
      version: (previous?.version ?? 0) + 1,
      lastModified: Date.now(),
    });
  }

  /** How often `name` was read, and how many of those reads decrypted it. */
  readsOf(name: string): ParameterReads {
    const reads: ParameterReads = { decrypted: 0, plain: 0, missing: 0 };
    for (const request of this.requests) {
      for (const read of request.reads) if (read.name === name) reads[read.kind] += 1;
    }
    return reads;
  }

  /** Requests for one operation, e.g. `requestsFor('GetParameter')`. */
  requestsFor(target: string): RecordedRequest[] {
    return this.requests.filter((r) => r.target === target);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestId = `00000000-0000-4000-8000-${String(++this.requestCounter).padStart(12, '0')}`;
      const rawTarget = req.headers['x-amz-target'];
      const target = typeof rawTarget === 'string' ? rawTarget.replace(/^AmazonSSM\./, '') : '';
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        body = null;
      }
      const request: RecordedRequest = { target, body, headers: { ...req.headers }, reads: [] };
      this.requests.push(request);
      try {
        if (req.method !== 'POST' || req.url !== '/') {
          throw new SsmFault('UnknownOperationException', `${req.method} ${req.url} is not supported`);
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          throw new SsmFault('SerializationException', 'the request body is not a JSON object');
        }
        const fault = this.faults[0];
        if (fault) {
          fault.remaining -= 1;
          if (fault.remaining <= 0) this.faults.shift();
          throw new SsmFault(fault.code, `injected ${fault.code}`, fault.status);
        }
        const result = this.dispatch(target, body as Record<string, unknown>, request);
        this.reply(res, 200, requestId, result);
      } catch (error) {
        const fault =
          error instanceof SsmFault ? error : new SsmFault('InternalServerError', String(error), 500);
        res.setHeader('x-amzn-errortype', fault.code);
        this.reply(res, fault.status, requestId, { __type: fault.code, message: fault.message });
      }
    });
  }

  private reply(res: ServerResponse, status: number, requestId: string, value: unknown): void {
    const text = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': JSON_11,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
    });
    res.end(text);
  }

  private dispatch(target: string, body: Record<string, unknown>, request: RecordedRequest): unknown {
    switch (target) {
      case 'GetParameter':
        return { Parameter: this.describe(requireName(body), body.WithDecryption === true, request) };
      case 'GetParameters': {
        const names = Array.isArray(body.Names) ? body.Names.filter((n) => typeof n === 'string') : [];
        const withDecryption = body.WithDecryption === true;
        return {
          Parameters: names
            .filter((n) => this.parameters.has(n))
            .map((n) => this.describe(n, withDecryption, request)),
          InvalidParameters: names.filter((n) => !this.parameters.has(n)),
        };
      }
      case 'PutParameter':
        return this.put(body);
      case 'DeleteParameter': {
        const name = requireName(body);
        if (!this.parameters.delete(name)) throw notFound(name);
        return {};
      }
      default:
        throw new SsmFault('UnknownOperationException', `operation ${target || '(none)'} is not supported`);
    }
  }

  private describe(name: string, withDecryption: boolean, request: RecordedRequest): Record<string, unknown> {
    const stored = this.parameters.get(name);
    if (!stored) {
      request.reads.push({ name, kind: 'missing' });
      throw notFound(name);
    }
    const decrypted = stored.type === 'SecureString' && withDecryption;
    request.reads.push({ name, kind: decrypted ? 'decrypted' : 'plain' });
    const opaque = `AQICAH${Buffer.from(`${name}:${stored.version}`).toString('base64')}`;
    return {
      Name: name,
      Type: stored.type,
      Value: stored.type === 'SecureString' && !withDecryption ? opaque : stored.value,
      Version: stored.version,
      LastModifiedDate: stored.lastModified / 1000,
      ARN: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: 'text',
    };
  }

  private put(body: Record<string, unknown>): unknown {
    const name = requireName(body);
    const value = body.Value;
    if (typeof value !== 'string' || value.length === 0) {
      throw new SsmFault('ValidationException', 'Value must have length greater than or equal to 1');
    }
    const type = body.Type;
    if (type !== undefined && type !== 'String' && type !== 'StringList' && type !== 'SecureString') {
      throw new SsmFault('ValidationException', `invalid parameter type ${String(type)}`);
    }
    const existing = this.parameters.get(name);
    if (existing && body.Overwrite !== true) {
      throw new SsmFault(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (!existing && type === undefined) {
      throw new SsmFault('ValidationException', 'A parameter type is required when you create a parameter.');
    }
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, {
      type: type ?? existing?.type ?? 'String',
      value,
      version,
      lastModified: Date.now(),
    });
    return { Version: version, Tier: 'Standard' };
  }
}

function requireName(body: Record<string, unknown>): string {
  if (typeof body.Name !== 'string' || body.Name.length === 0) {
    throw new SsmFault('ValidationException', 'Name must have length greater than or equal to 1');
  }
  return body.Name;
}

function notFound(name: string): SsmFault {
  return new SsmFault('ParameterNotFound', `Parameter ${name} not found.`);
}
