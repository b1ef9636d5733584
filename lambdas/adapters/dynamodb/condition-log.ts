import { errorMessage, StopwattError } from '../../errors.ts';
import type { ConditionLog } from '../../ports.ts';
import type { DynamoDb } from '../aws/dynamodb.ts';
import { isConditionalCheckFailed } from './records.ts';

/**
 * Ongoing conditions: `pk=CONDITION#<account>`, `sk=<name>`, `{ since, active }`. An episode is
 * ended by setting `active` false rather than deleting, so the function needs no DeleteItem.
 */
export class DynamoDbConditionLog implements ConditionLog {
  readonly #db: DynamoDb;
  readonly #tableName: string;
  readonly #pk: string;

  constructor(options: { client: DynamoDb; tableName: string; account: string }) {
    this.#db = options.client;
    this.#tableName = options.tableName;
    this.#pk = `CONDITION#${options.account}`;
  }

  async since(condition: string, now: Date): Promise<Date> {
    try {
      await this.#db.update({
        TableName: this.#tableName,
        Key: { pk: this.#pk, sk: condition },
        UpdateExpression: 'SET since = :now, active = :true, kind = :kind',
        ConditionExpression: 'attribute_not_exists(pk) OR active = :false',
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':true': true,
          ':false': false,
          ':kind': 'condition',
        },
      });
      return now;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw this.#failure('record', condition, error);
    }
    try {
      const item = await this.#db.get({
        TableName: this.#tableName,
        Key: { pk: this.#pk, sk: condition },
        ConsistentRead: true,
      });
      const since = new Date(String(item?.since));
      return Number.isNaN(since.getTime()) ? now : since;
    } catch (error) {
      throw this.#failure('read', condition, error);
    }
  }

  async clear(condition: string): Promise<void> {
    try {
      await this.#db.update({
        TableName: this.#tableName,
        Key: { pk: this.#pk, sk: condition },
        UpdateExpression: 'SET active = :false',
        ConditionExpression: 'active = :true',
        ExpressionAttributeValues: { ':true': true, ':false': false },
      });
    } catch (error) {
      // Not active (or never seen): nothing to end.
      if (!isConditionalCheckFailed(error)) throw this.#failure('clear', condition, error);
    }
  }

  #failure(action: string, condition: string, error: unknown): StopwattError {
    return new StopwattError(`cannot ${action} condition ${condition}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
