/**
 * The DynamoDB calls the stores make (GetItem, PutItem, UpdateItem, DeleteItem, Query), with items as plain
 * values: strings, finite numbers, booleans, null, lists and maps (undefined map values dropped).
 * Inputs and outputs use DynamoDB's own field names.
 */
import { AwsError } from '../../errors.ts';
import { AwsClient, type AwsClientOptions, parseJsonError } from './aws-client.ts';

export type Item = Record<string, unknown>;
type AttributeValue = Readonly<Record<string, unknown>>;

interface Expressions {
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>> | undefined;
  readonly ExpressionAttributeValues?: Item | undefined;
}

export interface GetInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly ConsistentRead?: boolean | undefined;
}

export interface PutInput extends Expressions {
  readonly TableName: string;
  readonly Item: Item;
  readonly ConditionExpression?: string | undefined;
}

export interface UpdateInput extends Expressions {
  readonly TableName: string;
  readonly Key: Item;
  readonly UpdateExpression: string;
  readonly ConditionExpression?: string | undefined;
  /** `ALL_OLD`: the item as it was before the update, as `Attributes`. */
  readonly ReturnValues?: 'ALL_OLD' | undefined;
  /** `ALL_OLD`: a failed condition's AwsError carries the stored item as `details.Item` (plain). */
  readonly ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | undefined;
}

export interface DeleteInput extends Expressions {
  readonly TableName: string;
  readonly Key: Item;
  readonly ConditionExpression?: string | undefined;
}

export interface QueryInput extends Expressions {
  readonly TableName: string;
  readonly KeyConditionExpression: string;
  readonly ScanIndexForward?: boolean | undefined;
  readonly Limit?: number | undefined;
  readonly ConsistentRead?: boolean | undefined;
  /** `COUNT`: only `Count`, no items. */
  readonly Select?: 'COUNT' | undefined;
}

export interface QueryPage {
  readonly Items: Item[];
  readonly Count: number;
  /** Present when there are more pages: pass it as the next page's start. */
  readonly LastEvaluatedKey?: Item | undefined;
}

const SERVICE = { name: 'dynamodb', envId: 'DYNAMODB', parseError: parseJsonError };

export class DynamoDb {
  readonly #client: AwsClient;

  constructor(options: AwsClientOptions = {}) {
    this.#client = new AwsClient(SERVICE, options);
  }

  async get(input: GetInput): Promise<Item | undefined> {
    const out = await this.#call('GetItem', { ...input, Key: marshallMap(input.Key) });
    return out.Item === undefined ? undefined : unmarshallMap(out.Item);
  }

  async put(input: PutInput): Promise<void> {
    await this.#call('PutItem', { ...withValues(input), Item: marshallMap(input.Item) });
  }

  async update(input: UpdateInput): Promise<{ Attributes?: Item | undefined }> {
    try {
      const out = await this.#call('UpdateItem', { ...withValues(input), Key: marshallMap(input.Key) });
      return { Attributes: out.Attributes === undefined ? undefined : unmarshallMap(out.Attributes) };
    } catch (error) {
      const old = error instanceof AwsError ? error.details.Item : undefined;
      if (!(error instanceof AwsError) || old === undefined) throw error;
      throw new AwsError(error.message, error.code, error.status, {
        ...error.details,
        Item: unmarshallMap(old),
      });
    }
  }

  async delete(input: DeleteInput): Promise<void> {
    await this.#call('DeleteItem', { ...withValues(input), Key: marshallMap(input.Key) });
  }

  async queryPage(input: QueryInput, start?: Item): Promise<QueryPage> {
    const out = await this.#call('Query', {
      ...withValues(input),
      ...(start ? { ExclusiveStartKey: marshallMap(start) } : {}),
    });
    const items = Array.isArray(out.Items) ? out.Items.map((item) => unmarshallMap(item)) : [];
    return {
      Items: items,
      Count: typeof out.Count === 'number' ? out.Count : items.length,
      LastEvaluatedKey: out.LastEvaluatedKey === undefined ? undefined : unmarshallMap(out.LastEvaluatedKey),
    };
  }

  /** Every page, in order. */
  async queryAll(input: QueryInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.queryPage(input, start);
      items.push(...page.Items);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  async #call(operation: string, input: object): Promise<Record<string, unknown>> {
    const text = await this.#client.call({
      label: `DynamoDB ${operation}`,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body: JSON.stringify(input),
    });
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  }
}

function withValues<T extends Expressions>(input: T): T | Omit<T, 'ExpressionAttributeValues'> {
  const values = input.ExpressionAttributeValues;
  return values === undefined ? input : { ...input, ExpressionAttributeValues: marshallMap(values) };
}

/** A plain value as a DynamoDB attribute value; throws on what DynamoDB cannot hold. */
export function marshall(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    // As the SDK: beyond 2^53 a number has already lost digits it was meant to keep.
    if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      throw new TypeError(`DynamoDB cannot store the number ${value}`);
    }
    return { N: String(value) };
  }
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map((entry) => marshall(entry)) };
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return { M: marshallMap(value as Item) };
  }
  throw new TypeError(
    `DynamoDB cannot store a value of type ${value === undefined ? 'undefined' : typeof value}`,
  );
}

function marshallMap(item: Item): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, marshall(value)]),
  );
}

/** A DynamoDB attribute value as a plain value (S, N, BOOL, NULL, L, M). */
export function unmarshall(attribute: unknown): unknown {
  const value = attribute as Record<string, unknown>;
  if (typeof value.S === 'string') return value.S;
  if (typeof value.N === 'string') return Number(value.N);
  if (typeof value.BOOL === 'boolean') return value.BOOL;
  if (value.NULL === true) return null;
  if (Array.isArray(value.L)) return value.L.map((entry) => unmarshall(entry));
  if (value.M !== null && typeof value.M === 'object') return unmarshallMap(value.M);
  throw new TypeError(`unsupported DynamoDB attribute value: ${Object.keys(value).join(', ')}`);
}

/** Object.fromEntries: a stored key `__proto__` stays a plain key. */
function unmarshallMap(map: unknown): Item {
  return Object.fromEntries(
    Object.entries(map as Record<string, unknown>).map(([key, value]) => [key, unmarshall(value)]),
  );
}
