/**
 * Builds the real check handler (`createHandler`) against loopback servers: the AMPECO simulator,
 * the SSM JSON server and DynamoDB Local, with the production SDK client factories and real
 * Powertools Logger and Metrics whose output is captured from the process streams.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoDbClient } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { createSsmClient } from '../../lambdas/adapters/ssm/parameters.ts';
import { parseEnvironment } from '../../lambdas/check/environment.ts';
import { type CheckResult, createHandler } from '../../lambdas/check/handler.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.ts';

export interface HandlerHarnessOptions {
  /** AMPECO tenant root (the simulator's url). */
  readonly apiUrl: string;
  /** The SsmServer's url. */
  readonly ssmUrl: string;
  /** DynamoDB Local (or a proxy in front of it). */
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  /** Account name in STOPWATT_ACCOUNTS. @default 'home' */
  readonly account?: string | undefined;
  /** @default 0 (no precise in-tick wait) */
  readonly horizonSeconds?: number | undefined;
  /** Minutes between reads while no session is open. @default 0 (every tick reads) */
  readonly idleIntervalMinutes?: number | undefined;
  /** Total DynamoDB attempts per call (SDK standard retry). @default 5, as in production */
  readonly dynamoMaxAttempts?: number | undefined;
  readonly clock?: Clock | undefined;
  /** Whether a tick follows its stop until the session is finished. @default true, as in production */
  readonly followStops?: boolean | undefined;
}

/** One "Lambda instance": its own clients, logger, metrics and handler (runtimes cached per instance). */
export interface HandlerInstance {
  readonly handler: (event: unknown) => Promise<CheckResult>;
}

export function createTestHandler(options: HandlerHarnessOptions): HandlerInstance {
  const account = options.account ?? 'home';
  const env = parseEnvironment({
    STOPWATT_TABLE_NAME: options.tableName,
    STOPWATT_ACCOUNTS: JSON.stringify([
      {
        name: account,
        apiUrl: options.apiUrl,
        priceArea: 'DK1',
        horizonSeconds: options.horizonSeconds ?? 0,
        idleIntervalMinutes: options.idleIntervalMinutes ?? 0,
      },
    ]),
  });
  const ssm = createSsmClient({
    endpoint: options.ssmUrl,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const dynamo = createDynamoDbClient({
    endpoint: options.dynamoDbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    ...(options.dynamoMaxAttempts === undefined ? {} : { maxAttempts: options.dynamoMaxAttempts }),
  });
  const handler = createHandler({
    env,
    ssm,
    dynamo,
    logger: new Logger({ serviceName: 'stopwatt' }),
    metrics: new Metrics({ namespace: 'Stopwatt', serviceName: 'stopwatt' }),
    clock: options.clock,
    followStops: options.followStops,
  });
  return { handler };
}

export type JsonRecord = Record<string, unknown>;

type WriteCallback = (error?: Error | null) => void;

/**
 * Captures what is written to process.stdout and process.stderr (Powertools Logger and Metrics
 * write there through their own `Console`, outside Vitest's console interception) without
 * forwarding it. Call `restore()` when done.
 */
export class OutputCapture {
  private readonly chunks: string[] = [];
  private readonly originals: Array<() => void> = [];

  constructor() {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      const write = (chunk: unknown, ...rest: unknown[]): boolean => {
        this.chunks.push(
          typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
        );
        const callback = rest.find((value): value is WriteCallback => typeof value === 'function');
        if (callback) queueMicrotask(() => callback(null));
        return true;
      };
      stream.write = write as typeof stream.write;
      this.originals.push(() => {
        stream.write = original;
      });
    }
  }

  /** Everything written so far, verbatim. */
  text(): string {
    return this.chunks.join('');
  }

  /** Every written line that is a JSON object. */
  records(): JsonRecord[] {
    const records: JsonRecord[] = [];
    for (const line of this.text().split('\n')) {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) continue;
      try {
        const value: unknown = JSON.parse(trimmed);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          records.push(value as JsonRecord);
        }
      } catch {
        // Not a JSON line: ignored.
      }
    }
    return records;
  }

  /** Powertools Logger lines (structured logs without the EMF `_aws` key). */
  logs(): JsonRecord[] {
    return this.records().filter((record) => !('_aws' in record));
  }

  /** CloudWatch Embedded Metric Format lines (Powertools Metrics). */
  emf(): JsonRecord[] {
    return this.records().filter((record) => '_aws' in record);
  }

  /** Names of the metrics in every EMF line, with the namespace and dimensions they were sent under. */
  metrics(): Array<{
    name: string;
    value: unknown;
    namespace: string;
    dimensions: string[][];
    line: JsonRecord;
  }> {
    const out: Array<{
      name: string;
      value: unknown;
      namespace: string;
      dimensions: string[][];
      line: JsonRecord;
    }> = [];
    for (const line of this.emf()) {
      const aws = line._aws as { CloudWatchMetrics?: unknown } | undefined;
      const directives = Array.isArray(aws?.CloudWatchMetrics) ? aws.CloudWatchMetrics : [];
      for (const directive of directives as Array<{
        Namespace?: unknown;
        Dimensions?: unknown;
        Metrics?: unknown;
      }>) {
        const namespace = typeof directive.Namespace === 'string' ? directive.Namespace : '';
        const dimensions = Array.isArray(directive.Dimensions) ? (directive.Dimensions as string[][]) : [];
        const metrics = Array.isArray(directive.Metrics)
          ? (directive.Metrics as Array<{ Name?: unknown }>)
          : [];
        for (const metric of metrics) {
          if (typeof metric.Name !== 'string') continue;
          out.push({ name: metric.Name, value: line[metric.Name], namespace, dimensions, line });
        }
      }
    }
    return out;
  }

  reset(): void {
    this.chunks.length = 0;
  }

  restore(): void {
    for (const undo of this.originals.splice(0)) undo();
  }
}
