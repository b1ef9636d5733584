import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { errorMessage, SessionLogError } from '../../errors.ts';

type Item = Record<string, unknown>;

/**
 * A DynamoDB client for the log table. Throttling (ProvisionedThroughputExceededException,
 * ThrottlingException, RequestLimitExceeded) and transient 5xx/network errors are retried by
 * the SDK's standard retry strategy with exponential backoff and jitter, up to `maxAttempts`
 * calls in total; what still fails surfaces as SessionLogError, never silently.
 */
export function createDynamoDbClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ retryMode: 'standard', maxAttempts: 5, ...config });
}

/** Names the table and the action, keeps the SDK error as `cause`. */
export function tableFailure(tableName: string, action: string, error: unknown): SessionLogError {
  return new SessionLogError(`cannot ${action} (DynamoDB table ${tableName}): ${errorMessage(error)}`, {
    cause: error,
  });
}

export async function putItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  what: string,
  item: PutCommandInput['Item'],
): Promise<void> {
  try {
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
  } catch (error) {
    throw tableFailure(tableName, `write ${what}`, error);
  }
}

export async function getItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  what: string,
  key: { readonly pk: string; readonly sk: string },
): Promise<Item | null> {
  try {
    // The claim decides whether a stop is sent: never act on a stale read.
    const out = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return out.Item ?? null;
  } catch (error) {
    throw tableFailure(tableName, `read ${what}`, error);
  }
}

export async function queryAllItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  what: string,
  input: QueryCommandInput,
): Promise<Item[]> {
  const items: Item[] = [];
  try {
    for await (const page of paginateQuery({ client: doc }, input)) items.push(...(page.Items ?? []));
  } catch (error) {
    throw tableFailure(tableName, `read ${what}`, error);
  }
  return items;
}
