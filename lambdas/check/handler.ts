import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { Sns } from '../adapters/aws/sns.ts';
import { createDynamoDbClient } from '../adapters/dynamodb/session-log.ts';
import { createSsmClient } from '../adapters/ssm/parameters.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../contract.ts';
import { type CheckHandler, type CheckResult, createHandler } from './create-handler.ts';
import { parseEnvironment } from './environment.ts';

export { type CheckResult, createHandler } from './create-handler.ts';

let cached: CheckHandler | null = null;

/** Lambda entry: environment parsed and clients built once per cold start. */
export const handler = async (event: unknown, context?: Context): Promise<CheckResult> => {
  if (!cached) {
    const env = parseEnvironment(process.env);
    cached = createHandler({
      env,
      ssm: createSsmClient(),
      dynamo: createDynamoDbClient(),
      sns: env.STOPWATT_TOPIC_ARN ? new Sns({}) : undefined,
      logger: new Logger({ serviceName: SERVICE_NAME }),
      // The construct sets POWERTOOLS_METRICS_NAMESPACE; the contract's name is the same default.
      metrics: new Metrics({
        namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRIC_NAMESPACE,
        serviceName: SERVICE_NAME,
      }),
      clock: systemClock,
    });
  }
  return cached(event, context);
};
