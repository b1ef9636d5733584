import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { createDynamoDbClient } from '../adapters/dynamodb/session-log.ts';
import { createSsmClient } from '../adapters/ssm/parameters.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { ConfigError, errorMessage, redact, StopwattError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { outcomeFields } from '../run-check.ts';
import { type AccountRuntime, buildAccountRuntime } from './account-runtime.ts';
import { type Environment, parseCheckEvent, parseEnvironment } from './environment.ts';

export interface HandlerDeps {
  readonly env: Environment;
  readonly ssm: SSMClient;
  readonly dynamo: DynamoDBClient;
  readonly sns?: SNSClient | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock | undefined;
}

export interface CheckResult {
  readonly account: string;
  readonly action: string;
  readonly reason: string | null;
  readonly sessionId: string | null;
  readonly energyKwh: number | null;
  readonly powerKw: number | null;
  readonly pricePerKwh: number | null;
}

/**
 * Builds the scheduled check handler. Adapters are created once per account per cold start
 * and reused by warm invocations. Failures are logged, counted and rethrown so the invocation
 * counts as failed (alarm), never swallowed.
 */
export function createHandler(deps: HandlerDeps): (event: unknown) => Promise<CheckResult> {
  const runtimes = new Map<string, AccountRuntime>();
  const { logger, metrics } = deps;
  return async (event: unknown) => {
    metrics.addMetric('Ticks', MetricUnit.Count, 1);
    let account = 'unknown';
    const secrets: string[] = [];
    try {
      account = parseCheckEvent(event).account;
      logger.appendKeys({ account });
      let runtime = runtimes.get(account);
      if (!runtime) {
        runtime = buildAccountRuntime(deps, account);
        runtimes.set(account, runtime);
      }
      const outcome = await runtime.tick(secrets, (message) => logger.warn(redact(message, secrets)));
      metrics.addMetric('SuccessfulTicks', MetricUnit.Count, 1);
      if (outcome.action === 'end') metrics.addMetric('Stops', MetricUnit.Count, 1);
      const result: CheckResult = { account, ...outcomeFields(outcome) };
      logger.info(redact(outcome.detail, secrets), {
        ...result,
        waitedMs: outcome.waitedMs,
        sessions: outcome.sessions?.map(outcomeFields),
      });
      return result;
    } catch (error) {
      metrics.addMetric('Failures', MetricUnit.Count, 1);
      logger.error(redact(`check failed: ${errorMessage(error)}`, secrets), {
        errorName: error instanceof Error ? error.name : 'unknown',
        badInput: error instanceof ConfigError,
      });
      throw scrubbed(error, secrets);
    } finally {
      metrics.publishStoredMetrics();
      logger.removeKeys(['account']);
    }
  };
}

/** Lambda logs the rethrown error itself: make sure no secret can reach that line either. */
function scrubbed(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const message = redact(error.message, secrets);
  if (message === error.message) return error;
  const clean = new StopwattError(message);
  Object.defineProperty(clean, 'name', { value: error.name });
  return clean;
}

let cached: ((event: unknown) => Promise<CheckResult>) | null = null;

/** Lambda entry: environment parsed and clients built once per cold start. */
export const handler = async (event: unknown): Promise<CheckResult> => {
  if (!cached) {
    const env = parseEnvironment(process.env);
    cached = createHandler({
      env,
      ssm: createSsmClient(),
      dynamo: createDynamoDbClient(),
      sns: env.STOPWATT_TOPIC_ARN ? new SNSClient({}) : undefined,
      logger: new Logger({ serviceName: 'stopwatt' }),
      metrics: new Metrics({ namespace: 'Stopwatt', serviceName: 'stopwatt' }),
      clock: systemClock,
    });
  }
  return cached(event);
};
