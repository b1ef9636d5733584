import { errorMessage, SessionLogError } from '../../errors.ts';
import type { AwsClientOptions } from '../aws/aws-client.ts';
import { DynamoDb, type QueryInput, type Item as StoredItem } from '../aws/dynamodb.ts';

type Item = Record<string, unknown>;

/**
 * A DynamoDB client for the log table. Throttling (ProvisionedThroughputExceededException,
 * ThrottlingException, RequestLimitExceeded) and transient 5xx/network errors are retried as the
 * SDK's standard mode does, with exponential backoff and jitter, up to `maxAttempts` calls in
 * total; what still fails surfaces as SessionLogError, never silently.
 */
export function createDynamoDbClient(options: AwsClientOptions = {}): DynamoDb {
  return new DynamoDb({ maxAttempts: 5, ...options });
}

/** Names the table and the action, keeps the SDK error as `cause`. */
export function tableFailure(tableName: string, action: string, error: unknown): SessionLogError {
  return new SessionLogError(`cannot ${action} (DynamoDB table ${tableName}): ${errorMessage(error)}`, {
    cause: error,
  });
}

export async function putItem(
  db: DynamoDb,
  tableName: string,
  what: string,
  item: StoredItem,
): Promise<void> {
  try {
    await db.put({ TableName: tableName, Item: item });
  } catch (error) {
    throw tableFailure(tableName, `write ${what}`, error);
  }
}

export async function getItem(
  db: DynamoDb,
  tableName: string,
  what: string,
  key: { readonly pk: string; readonly sk: string },
): Promise<Item | null> {
  try {
    // The claim decides whether a stop is sent: never act on a stale read.
    return (await db.get({ TableName: tableName, Key: key, ConsistentRead: true })) ?? null;
  } catch (error) {
    throw tableFailure(tableName, `read ${what}`, error);
  }
}

export async function queryAllItems(
  db: DynamoDb,
  tableName: string,
  what: string,
  input: QueryInput,
): Promise<Item[]> {
  try {
    return await db.queryAll(input);
  } catch (error) {
    throw tableFailure(tableName, `read ${what}`, error);
  }
}
