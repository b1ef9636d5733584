import type { DynamoDb } from '../../adapters/aws/dynamodb.ts';
import { isValidAccount } from '../../adapters/dynamodb/records.ts';
import { ConfigError, errorMessage, SessionLogError } from '../../errors.ts';
import type { TickStatus, TickStatusStore } from '../ports.ts';
import { TickStatusSchema } from '../tick-status-schema.ts';
import { tickPk } from './names.ts';

const SK = 'LATEST';

/**
 * The last tick's status as one item `pk=TICK#<account>`, `sk=LATEST`: the check function writes
 * it after every tick, the phone page reads it. Overwritten, so it never grows and needs no TTL.
 */
export class DynamoDbTickStatus implements TickStatusStore {
  readonly #db: DynamoDb;
  readonly #tableName: string;
  readonly #pk: string;

  constructor(options: { client: DynamoDb; tableName: string; account: string }) {
    if (!isValidAccount(options.account)) {
      throw new ConfigError('invalid account name for the tick status: use letters, digits, _ . -');
    }
    this.#db = options.client;
    this.#tableName = options.tableName;
    this.#pk = tickPk(options.account);
  }

  async get(): Promise<TickStatus | null> {
    let item: Record<string, unknown> | undefined;
    try {
      item = await this.#db.get({ TableName: this.#tableName, Key: { pk: this.#pk, sk: SK } });
    } catch (error) {
      throw this.#failure('read the last tick', error);
    }
    if (!item) return null;
    const parsed = TickStatusSchema.safeParse(item);
    if (!parsed.success) throw new SessionLogError(`invalid stored tick status in table ${this.#tableName}`);
    return parsed.data;
  }

  async put(status: TickStatus): Promise<void> {
    try {
      await this.#db.put({
        TableName: this.#tableName,
        Item: {
          pk: this.#pk,
          sk: SK,
          kind: 'tick',
          at: status.at.toISOString(),
          action: status.action,
          detail: status.detail,
          error: status.error,
          warnings: [...status.warnings],
          tokenExpiresAt: status.tokenExpiresAt?.toISOString() ?? null,
        },
      });
    } catch (error) {
      throw this.#failure('record the last tick', error);
    }
  }

  #failure(action: string, error: unknown): SessionLogError {
    return new SessionLogError(
      `cannot ${action} (DynamoDB table ${this.#tableName}): ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}
