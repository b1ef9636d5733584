import { ACCOUNT_NAME_PATTERN } from '../../contract.ts';
import { AwsError } from '../../errors.ts';

/**
 * Key layout of the single stopwatt table. Every item has `pk`, `sk` and `kind`;
 * the record's own fields sit beside them as top-level attributes so the table stays readable
 * in the console. Observations and decisions carry `expiresAt` (epoch seconds) for TTL.
 */

export const CLAIM_SK = 'STOP#CLAIM';
export const RESULT_SK = 'STOP#RESULT';
export const SUMMARY_SK = 'SUMMARY';
export const OBSERVATION_PREFIX = 'OBS#';
export const DECISION_PREFIX = 'DECISION#';
export const RESULT_ATTEMPT_PREFIX = 'STOP#RESULT#';
export const LISTING_PREFIX = 'SESSION#';

export type ItemKind =
  | 'observation'
  | 'decision'
  | 'claim'
  | 'result'
  | 'summary'
  | 'prices'
  | 'stop-latency';

export function sessionPk(account: string, sessionId: string): string {
  return `SESSION#${account}#${sessionId}`;
}

export function accountPk(account: string): string {
  return `ACCOUNT#${account}`;
}

export function observationSk(at: Date): string {
  return `${OBSERVATION_PREFIX}${at.toISOString()}`;
}

export function decisionSk(at: Date): string {
  return `${DECISION_PREFIX}${at.toISOString()}`;
}

/** Zero-padded so attempts sort numerically within the partition. */
export function resultAttemptSk(attempt: number): string {
  return `${RESULT_ATTEMPT_PREFIX}${String(attempt).padStart(4, '0')}`;
}

/** Listing key: ISO start times sort chronologically; 'unknown' sorts after every date. */
export function listingSk(startedAt: Date | null, sessionId: string): string {
  return `${LISTING_PREFIX}${startedAt ? startedAt.toISOString() : 'unknown'}#${sessionId}`;
}

/** The account's stop latency samples, one item per finished session, sorted by finish time. */
export function stopLatencyPk(account: string): string {
  return `LATENCY#${account}`;
}

export function stopLatencySk(at: Date, sessionId: string): string {
  return `STOP#${at.toISOString()}#${sessionId}`;
}

export function pricesPk(area: string): string {
  return `PRICES#${area}`;
}

const DAY_SECONDS = 86_400;

/** DynamoDB TTL value: epoch seconds `days` after `from`. */
export function expiresAt(from: Date, days: number): number {
  return Math.floor(from.getTime() / 1000) + Math.round(days * DAY_SECONDS);
}

/** Account names become part of every key: keep them free of the `#` separator. */
export function isValidAccount(account: string): boolean {
  return ACCOUNT_NAME_PATTERN.test(account);
}

/** A conditional write lost (the one way the adapters recognise it). */
export function isConditionalCheckFailed(error: unknown): error is AwsError {
  return error instanceof AwsError && error.code === 'ConditionalCheckFailedException';
}
