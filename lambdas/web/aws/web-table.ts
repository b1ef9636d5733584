import type { DynamoDb } from '../../adapters/aws/dynamodb.ts';
import { isValidAccount } from '../../adapters/dynamodb/records.ts';
import { ConfigError, errorMessage, SessionLogError } from '../../errors.ts';
import { webPk } from './names.ts';

export interface WebTableOptions {
  /** Injected; create it with createDynamoDbClient (retries throttling). */
  readonly client: DynamoDb;
  readonly tableName: string;
  readonly account: string;
}

/** The web function's own partition `WEB#<account>` of the log table (its role may write nothing else). */
export class WebTable {
  readonly db: DynamoDb;
  readonly tableName: string;
  readonly pk: string;

  constructor(options: WebTableOptions) {
    if (!isValidAccount(options.account)) {
      throw new ConfigError('invalid account name for the web store: use letters, digits, _ . -');
    }
    this.db = options.client;
    this.tableName = options.tableName;
    this.pk = webPk(options.account);
  }

  /** A failure naming what was attempted and the table; never an item's content. */
  failure(action: string, error: unknown): SessionLogError {
    return new SessionLogError(
      `cannot ${action} (DynamoDB table ${this.tableName}): ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** DynamoDB TTL value (epoch seconds) for a time. */
export function ttlSeconds(at: Date): number {
  return Math.ceil(at.getTime() / 1000);
}
