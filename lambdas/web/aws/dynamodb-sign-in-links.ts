import { isConditionalCheckFailed } from '../../adapters/dynamodb/records.ts';
import type { SignInLinks } from '../ports.ts';
import { ttlSeconds, WebTable, type WebTableOptions } from './web-table.ts';

const HASH = /^[0-9a-f]{64}$/;

/**
 * Sign-in links as `pk=WEB#<account>`, `sk=LINK#<sha256 of the nonce>` with `validUntil` (epoch ms)
 * and a TTL. Consuming is one conditional DeleteItem: DynamoDB lets exactly one caller delete an
 * existing, unexpired item, so a link works once even when two phones open it at the same moment.
 */
export class DynamoDbSignInLinks implements SignInLinks {
  readonly #table: WebTable;

  constructor(options: WebTableOptions) {
    this.#table = new WebTable(options);
  }

  async create(nonceHash: string, expiresAt: Date): Promise<void> {
    if (!HASH.test(nonceHash)) throw new TypeError('a sign-in link is stored by its SHA-256 hex hash');
    try {
      await this.#table.db.put({
        TableName: this.#table.tableName,
        Item: {
          ...this.#key(nonceHash),
          kind: 'web-link',
          validUntil: expiresAt.getTime(),
          // TTL deletes leftovers eventually (up to days late): `validUntil` is what counts.
          expiresAt: ttlSeconds(expiresAt),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    } catch (error) {
      throw this.#table.failure('store a sign-in link', error);
    }
  }

  async consume(nonceHash: string, now: Date): Promise<boolean> {
    if (!HASH.test(nonceHash)) return false;
    try {
      await this.#table.db.delete({
        TableName: this.#table.tableName,
        Key: this.#key(nonceHash),
        ConditionExpression: 'attribute_exists(pk) AND validUntil > :now',
        ExpressionAttributeValues: { ':now': now.getTime() },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw this.#table.failure('consume a sign-in link', error);
    }
  }

  #key(nonceHash: string) {
    return { pk: this.#table.pk, sk: `LINK#${nonceHash}` };
  }
}
