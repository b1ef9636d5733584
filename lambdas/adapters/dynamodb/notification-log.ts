import { errorMessage, StopwattError } from '../../errors.ts';
import type { DynamoDb } from '../aws/dynamodb.ts';
import type { NotificationLog } from '../notify/deduplicating-notifier.ts';
import { expiresAt } from './records.ts';

/** Sent notification keys: `pk=NOTIFY#<account>`, `sk=<key>`, kept 30 days (TTL). */
export class DynamoDbNotificationLog implements NotificationLog {
  readonly #db: DynamoDb;
  readonly #tableName: string;
  readonly #pk: string;

  constructor(options: { client: DynamoDb; tableName: string; account: string }) {
    this.#db = options.client;
    this.#tableName = options.tableName;
    this.#pk = `NOTIFY#${options.account}`;
  }

  async wasSent(key: string): Promise<boolean> {
    try {
      const item = await this.#db.get({
        TableName: this.#tableName,
        Key: { pk: this.#pk, sk: key },
        ConsistentRead: true,
      });
      return item !== undefined;
    } catch (error) {
      throw new StopwattError(`cannot read notification log: ${errorMessage(error)}`, { cause: error });
    }
  }

  async markSent(key: string, at: Date): Promise<void> {
    try {
      await this.#db.put({
        TableName: this.#tableName,
        Item: {
          pk: this.#pk,
          sk: key,
          kind: 'notification',
          sentAt: at.toISOString(),
          expiresAt: expiresAt(at, 30),
        },
      });
    } catch (error) {
      throw new StopwattError(`cannot write notification log: ${errorMessage(error)}`, { cause: error });
    }
  }
}
