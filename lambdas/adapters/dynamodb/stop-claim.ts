import { SessionLogError } from '../../errors.ts';
import type { ClaimAnswer, StopClaim } from '../../ports.ts';
import type { DynamoDb } from '../aws/dynamodb.ts';
import { answerAgainst } from '../claims.ts';
import { reviveStopClaim, serializeStopClaim } from '../serialization.ts';
import { CLAIM_SK, type ItemKind, isConditionalCheckFailed } from './records.ts';

export interface ClaimTarget {
  readonly db: DynamoDb;
  readonly tableName: string;
  readonly pk: string;
  readonly writtenAt: Date;
}

/**
 * One conditional UpdateItem: attempt 1 requires that no claim exists, attempt n > 1 that the
 * stored claim is n - 1. The item keeps every claim in `claims` for the timeline. When the
 * condition fails DynamoDB returns the stored item (`ALL_OLD`, as Powertools idempotency does):
 * if it is exactly this claim, an SDK retry after a lost answer met our own write.
 */
export async function writeStopClaim(target: ClaimTarget, claim: StopClaim): Promise<ClaimAnswer> {
  if (!Number.isInteger(claim.attempt) || claim.attempt < 1) {
    throw new SessionLogError(
      `cannot write stop claim ${claim.attempt} of session ${claim.sessionId}: attempt must be a positive integer`,
    );
  }
  try {
    await target.db.update({ ...claimUpdate(target, claim), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    return { kind: 'claimed' };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const old = error.details.Item;
    const stored = old ? reviveStopClaim(old, `item ${target.pk} / ${CLAIM_SK}`) : null;
    return answerAgainst(stored, claim);
  }
}

function claimUpdate(target: ClaimTarget, claim: StopClaim) {
  const record = serializeStopClaim(claim);
  const fields = { ...record, kind: 'claim' satisfies ItemKind, writtenAt: target.writtenAt.toISOString() };
  const names: Record<string, string> = { '#claims': 'claims' };
  const values: Record<string, unknown> = { ':claimsEmpty': [], ':claimsEntry': [record] };
  const sets: string[] = ['#claims = list_append(if_not_exists(#claims, :claimsEmpty), :claimsEntry)'];
  for (const [key, value] of Object.entries(fields)) {
    names[`#${key}`] = key;
    values[`:${key}`] = value;
    sets.push(`#${key} = :${key}`);
  }
  // DynamoDB rejects unused names and values, so each condition adds only its own.
  let condition: string;
  if (claim.attempt === 1) {
    condition = 'attribute_not_exists(#pk)';
    names['#pk'] = 'pk';
  } else {
    condition = '#attempt = :previousAttempt';
    values[':previousAttempt'] = claim.attempt - 1;
  }
  return {
    TableName: target.tableName,
    Key: { pk: target.pk, sk: CLAIM_SK },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
