import { randomBytes } from 'node:crypto';
import type { SignInAttempts } from '../ports.ts';
import { ttlSeconds, WebTable, type WebTableOptions } from './web-table.ts';

/** A failure is kept a day: far longer than any throttle window, short enough to stay small. */
const KEEP_MS = 86_400_000;

/**
 * Failed sign-ins as one item each, `sk=ATTEMPT#<client>#<ISO time>#<random>`, so every Lambda
 * instance sees the same count: a Query over the client's time range with `Select: COUNT`.
 */
export class DynamoDbSignInAttempts implements SignInAttempts {
  readonly #table: WebTable;

  constructor(options: WebTableOptions) {
    this.#table = new WebTable(options);
  }

  async failures(client: string, since: Date): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.#table.db.queryPage(
          {
            TableName: this.#table.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': this.#table.pk,
              ':from': `${prefix(client)}${since.toISOString()}`,
              // '~' sorts after every character of an ISO time.
              ':to': `${prefix(client)}~`,
            },
            Select: 'COUNT',
            ConsistentRead: true,
          },
          start,
        );
        count += out.Count;
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      throw this.#table.failure('count failed sign-in attempts', error);
    }
    return count;
  }

  async recordFailure(client: string, at: Date): Promise<void> {
    try {
      await this.#table.db.put({
        TableName: this.#table.tableName,
        Item: {
          pk: this.#table.pk,
          sk: `${prefix(client)}${at.toISOString()}#${randomBytes(6).toString('hex')}`,
          kind: 'web-attempt',
          expiresAt: ttlSeconds(new Date(at.getTime() + KEEP_MS)),
        },
      });
    } catch (error) {
      throw this.#table.failure('record a failed sign-in attempt', error);
    }
  }
}

/** Client addresses are encoded so no address can reach into another one's key range. */
function prefix(client: string): string {
  return `ATTEMPT#${encodeURIComponent(client)}#`;
}
