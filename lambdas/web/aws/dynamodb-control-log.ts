import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { expiresAt } from '../../adapters/dynamodb/records.ts';
import type { ControlChange, ControlLog } from '../ports.ts';
import { WebTable, type WebTableOptions } from './web-table.ts';

const PREFIX = 'CONTROL#';
const StoredChange = z.object({ at: z.coerce.date(), action: z.string(), detail: z.string() });

/** Changes made from the phone: `sk=CONTROL#<ISO time>#<random>`, kept as long as the log. */
export class DynamoDbControlLog implements ControlLog {
  readonly #table: WebTable;
  readonly #ttlDays: number;

  constructor(options: WebTableOptions & { readonly ttlDays: number }) {
    this.#table = new WebTable(options);
    this.#ttlDays = options.ttlDays;
  }

  async record(change: ControlChange): Promise<void> {
    try {
      await this.#table.db.put({
        TableName: this.#table.tableName,
        Item: {
          pk: this.#table.pk,
          sk: `${PREFIX}${change.at.toISOString()}#${randomBytes(6).toString('hex')}`,
          kind: 'web-control',
          at: change.at.toISOString(),
          action: change.action,
          detail: change.detail,
          expiresAt: expiresAt(change.at, this.#ttlDays),
        },
      });
    } catch (error) {
      throw this.#table.failure('record a change made on the phone page', error);
    }
  }

  async recent(limit: number): Promise<ControlChange[]> {
    try {
      const out = await this.#table.db.queryPage({
        TableName: this.#table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': this.#table.pk, ':prefix': PREFIX },
        ScanIndexForward: false,
        Limit: Math.max(1, Math.floor(limit)),
      });
      return out.Items.flatMap((item) => {
        const parsed = StoredChange.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      });
    } catch (error) {
      throw this.#table.failure('read the changes made on the phone page', error);
    }
  }
}
