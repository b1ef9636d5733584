import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { errorMessage, StopwattError } from '../../errors.ts';
import type { NotificationLog } from '../notify/deduplicating-notifier.ts';
import { expiresAt } from './records.ts';

/** Sent notification keys: `pk=NOTIFY#<account>`, `sk=<key>`, kept 30 days (TTL). */
export class DynamoDbNotificationLog implements NotificationLog {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #pk: string;

  constructor(options: { client: DynamoDBClient; tableName: string; account: string }) {
    this.#doc = DynamoDBDocumentClient.from(options.client);
    this.#tableName = options.tableName;
    this.#pk = `NOTIFY#${options.account}`;
  }

  async wasSent(key: string): Promise<boolean> {
    try {
      const out = await this.#doc.send(
        new GetCommand({ TableName: this.#tableName, Key: { pk: this.#pk, sk: key }, ConsistentRead: true }),
      );
      return out.Item !== undefined;
    } catch (error) {
      throw new StopwattError(`cannot read notification log: ${errorMessage(error)}`, { cause: error });
    }
  }

  async markSent(key: string, at: Date): Promise<void> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: this.#pk,
            sk: key,
            kind: 'notification',
            sentAt: at.toISOString(),
            expiresAt: expiresAt(at, 30),
          },
        }),
      );
    } catch (error) {
      throw new StopwattError(`cannot write notification log: ${errorMessage(error)}`, { cause: error });
    }
  }
}
