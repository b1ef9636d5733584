import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { errorMessage, SessionLogError } from '../../errors.ts';
import type { ReadCadence } from '../../ports.ts';
import { isConditionalCheckFailed } from './records.ts';

/**
 * When the account's API is read next: `pk=CADENCE#<account>`, `sk=STATE`, `{ open, nextReadAt }`
 * (epoch ms). The idle read is claimed by a conditional write, so of two invocations at the same
 * moment exactly one reads, and the state survives cold starts.
 */
export class DynamoDbReadCadence implements ReadCadence {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #key: { pk: string; sk: string };

  constructor(options: { client: DynamoDBClient; tableName: string; account: string }) {
    this.#doc = DynamoDBDocumentClient.from(options.client);
    this.#tableName = options.tableName;
    this.#key = { pk: `CADENCE#${options.account}`, sk: 'STATE' };
  }

  async claim(now: Date, nextIdleRead: Date): Promise<boolean> {
    try {
      await this.#update('SET nextReadAt = :next, kind = :kind', {
        condition: 'attribute_not_exists(pk) OR #open = :true OR nextReadAt <= :now',
        values: { ':next': nextIdleRead.getTime(), ':kind': 'cadence', ':true': true, ':now': now.getTime() },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw this.#failure('claim the next read', error);
    }
  }

  async record(open: boolean): Promise<void> {
    try {
      await this.#update('SET #open = :open', { values: { ':open': open } });
    } catch (error) {
      throw this.#failure('record the session state', error);
    }
  }

  async release(): Promise<void> {
    try {
      await this.#update('SET nextReadAt = :zero', { values: { ':zero': 0 } });
    } catch (error) {
      throw this.#failure('release the read', error);
    }
  }

  async #update(expression: string, options: { condition?: string; values: Record<string, unknown> }) {
    const usesOpen = expression.includes('#open') || options.condition?.includes('#open');
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: this.#key,
        UpdateExpression: expression,
        ConditionExpression: options.condition,
        ExpressionAttributeNames: usesOpen ? { '#open': 'open' } : undefined,
        ExpressionAttributeValues: options.values,
      }),
    );
  }

  #failure(what: string, error: unknown): SessionLogError {
    return new SessionLogError(`cannot ${what} (cadence): ${errorMessage(error)}`, { cause: error });
  }
}
