import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDb } from '../../lambdas/adapters/aws/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.ts';

export interface TestTable {
  /** What the stores are given: stopwatt's own DynamoDB client. */
  readonly client: DynamoDb;
  /** The AWS SDK's client, for what a test sets up or inspects behind the stores' back. */
  readonly sdk: DynamoDBClient;
  readonly tableName: string;
  /** Deletes the table and releases the client. */
  drop(): Promise<void>;
}

/** stopwatt's DynamoDB client for DynamoDB Local with dummy credentials. */
export function createLocalClient(endpoint: string, maxAttempts = 3): DynamoDb {
  return new DynamoDb({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts });
}

/** Creates a uniquely named table shaped like the stopwatt table, so test files can run in parallel. */
export async function createTestTable(endpoint: string): Promise<TestTable> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
  const tableName = `stopwatt-test-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  return {
    client: createLocalClient(endpoint),
    sdk: client,
    tableName,
    drop: async () => {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
      }
    },
  };
}

/** Every item of one partition, read consistently (what a test expects the adapter to have written). */
export async function partitionItems(table: TestTable, pk: string): Promise<Record<string, unknown>[]> {
  const out = await DynamoDBDocumentClient.from(table.sdk).send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}
