/**
 * Vitest global setup: one DynamoDB Local for the whole run (about 2 s to start), shared by the
 * test files through `inject('dynamoDbEndpoint')`; each file creates its own table.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the DynamoDB Local started for this run. */
    dynamoDbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const local = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', local.endpoint);
  if (process.env.STOPWATT_DEBUG_DYNAMODB) {
    console.log(`DynamoDB Local ready at ${local.endpoint} in ${local.startMs} ms`);
  }
  return () => local.stop();
}
