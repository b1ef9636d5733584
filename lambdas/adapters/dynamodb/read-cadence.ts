import * as z from 'zod/mini';
import { errorMessage, SessionLogError } from '../../errors.ts';
import type { CadenceState, ReadCadence } from '../../ports.ts';
import type { DynamoDb } from '../aws/dynamodb.ts';
import { isConditionalCheckFailed } from './records.ts';

/** The stored state; attributes a first claim has not written yet are absent. */
const StoredStateSchema = z.object({
  open: z._default(z.boolean(), false),
  homeChargers: z._default(z.nullable(z.boolean()), null),
  learnedAt: z._default(z.nullable(z.number()), null),
});

/** Read everywhere: what a state that cannot be read asks for, until the next read rewrites it. */
const READ_EVERYWHERE: CadenceState = { open: true, homeChargers: null, learnedAt: null };

/**
 * When the account's API was last read and what it found: `pk=CADENCE#<account>`, `sk=STATE`,
 * `{ open, readAt, homeChargers, learnedAt }` (times in epoch ms). The idle read is claimed by a
 * conditional write that returns the previous state, so of two invocations at the same moment
 * exactly one reads, it knows where to look, and the state survives cold starts.
 */
export class DynamoDbReadCadence implements ReadCadence {
  readonly #db: DynamoDb;
  readonly #tableName: string;
  readonly #key: { pk: string; sk: string };

  constructor(options: { client: DynamoDb; tableName: string; account: string }) {
    this.#db = options.client;
    this.#tableName = options.tableName;
    this.#key = { pk: `CADENCE#${options.account}`, sk: 'STATE' };
  }

  async claim(now: Date, idleIntervalMs: number): Promise<CadenceState | null> {
    let previous: Record<string, unknown> | undefined;
    try {
      previous = await this.#update('SET readAt = :now, kind = :kind', {
        condition: 'attribute_not_exists(readAt) OR #open = :true OR readAt <= :due',
        values: {
          ':now': now.getTime(),
          ':kind': 'cadence',
          ':true': true,
          ':due': now.getTime() - idleIntervalMs,
        },
      });
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw this.#failure('claim the next read', error);
    }
    const parsed = StoredStateSchema.safeParse(previous ?? {});
    if (!parsed.success) return READ_EVERYWHERE;
    const { open, homeChargers, learnedAt } = parsed.data;
    return { open, homeChargers, learnedAt: learnedAt === null ? null : new Date(learnedAt) };
  }

  async record(state: CadenceState): Promise<void> {
    try {
      await this.#update('SET #open = :open, homeChargers = :home, learnedAt = :learned', {
        values: {
          ':open': state.open,
          ':home': state.homeChargers,
          ':learned': state.learnedAt?.getTime() ?? null,
        },
      });
    } catch (error) {
      throw this.#failure('record what the read found', error);
    }
  }

  async release(): Promise<void> {
    try {
      await this.#update('SET readAt = :zero, #open = :true', { values: { ':zero': 0, ':true': true } });
    } catch (error) {
      throw this.#failure('release the read', error);
    }
  }

  /** One update of the state item; returns the attributes it had before. */
  async #update(
    expression: string,
    options: { condition?: string; values: Record<string, unknown> },
  ): Promise<Record<string, unknown> | undefined> {
    const out = await this.#db.update({
      TableName: this.#tableName,
      Key: this.#key,
      UpdateExpression: expression,
      ConditionExpression: options.condition,
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: options.values,
      ReturnValues: 'ALL_OLD',
    });
    return out.Attributes;
  }

  #failure(what: string, error: unknown): SessionLogError {
    return new SessionLogError(`cannot ${what} (cadence): ${errorMessage(error)}`, { cause: error });
  }
}
