import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { DynamoDb } from '../adapters/aws/dynamodb.ts';
import type { Sns } from '../adapters/aws/sns.ts';
import type { Ssm } from '../adapters/aws/ssm.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { tickOnCadence } from '../composition/cadence.ts';
import { METRIC } from '../contract.ts';
import { jwtExpiry } from '../core/token-expiry.ts';
import { ConfigError, errorMessage, redact, StopwattError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { outcomeFields } from '../run-check.ts';
import { recordTick, type TickRecord } from '../web/record-tick.ts';
import { type ScheduledCheck, scheduledAccountCheck } from './account-check.ts';
import { type Environment, parseCheckEvent } from './environment.ts';

export interface HandlerDeps {
  readonly env: Environment;
  readonly ssm: Ssm;
  readonly dynamo: DynamoDb;
  readonly sns?: Sns | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock | undefined;
  /** Whether a tick follows its stop until the session is finished. @default true */
  readonly followStops?: boolean | undefined;
}

export interface CheckResult {
  readonly account: string;
  readonly action: string;
  readonly reason: string | null;
  readonly sessionId: string | null;
  readonly energyKwh: number | null;
  readonly powerKw: number | null;
  readonly pricePerKwh: number | null;
}

export type CheckHandler = (event: unknown, context?: Context) => Promise<CheckResult>;

/**
 * Builds the scheduled check handler. Each account's check is assembled once per cold start and
 * reused by warm invocations. Failures are logged, counted and rethrown so the invocation counts
 * as failed (alarm), never swallowed.
 */
export function createHandler(deps: HandlerDeps): CheckHandler {
  const checks = new Map<string, Promise<ScheduledCheck>>();
  const { logger, metrics } = deps;
  const checkFor = (account: string): Promise<ScheduledCheck> => {
    let check = checks.get(account);
    if (!check) {
      check = scheduledAccountCheck(deps, account);
      checks.set(account, check);
    }
    return check;
  };
  return async (event, context) => {
    if (context) logger.addContext(context);
    metrics.addMetric(METRIC.ticks, MetricUnit.Count, 1);
    let account = 'unknown';
    const secrets: string[] = [];
    const warnings: string[] = [];
    let status: ((tick: Omit<TickRecord, 'warnings' | 'at'>) => Promise<void>) | null = null;
    try {
      account = parseCheckEvent(event).account;
      logger.appendKeys({ account });
      const { check, cadence, cadenceSettings, ticks } = await checkFor(account);
      const warn = (message: string) => {
        warnings.push(message);
        logger.warn(redact(message, secrets));
      };
      status = (tick) =>
        recordTick(ticks, { ...tick, ...tickContext(deps, secrets, warnings) }, { secrets, warn });
      const outcome = await tickOnCadence(check, cadence, cadenceSettings, { secrets, warn });
      metrics.addMetric(METRIC.successfulTicks, MetricUnit.Count, 1);
      if (outcome === null) return idle(account, logger);
      await status({ action: outcome.action, detail: outcome.detail, error: null });
      if (outcome.action === 'end') metrics.addMetric(METRIC.stops, MetricUnit.Count, 1);
      const result: CheckResult = { account, ...outcomeFields(outcome) };
      logger.info(redact(outcome.detail, secrets), {
        ...result,
        waitedMs: outcome.waitedMs,
        sessions: outcome.sessions?.map(outcomeFields),
      });
      return result;
    } catch (error) {
      metrics.addMetric(METRIC.failures, MetricUnit.Count, 1);
      logger.error(redact(`check failed: ${errorMessage(error)}`, secrets), {
        errorName: error instanceof Error ? error.name : 'unknown',
        badInput: error instanceof ConfigError,
      });
      await status?.({ action: 'error', detail: 'the tick failed', error: errorMessage(error) });
      throw scrubbed(error, secrets);
    } finally {
      metrics.publishStoredMetrics();
      logger.removeKeys(['account']);
    }
  };
}

/** When the tick happened, its warnings and the token's expiry, for the phone page's "last tick". */
function tickContext(deps: HandlerDeps, secrets: readonly string[], warnings: readonly string[]) {
  const expiries = secrets.map((secret) => jwtExpiry(secret)).filter((at) => at !== null);
  return { at: (deps.clock ?? systemClock).now(), warnings, tokenExpiresAt: expiries[0] ?? null };
}

/** No session at the last read and the idle read not due: nothing was read, nothing to decide. */
function idle(account: string, logger: Logger): CheckResult {
  const result: CheckResult = {
    account,
    action: 'idle',
    reason: null,
    sessionId: null,
    energyKwh: null,
    powerKw: null,
    pricePerKwh: null,
  };
  logger.info('no session at the last read; the next idle read is not due yet', { ...result });
  return result;
}

/** Lambda logs the rethrown error itself: make sure no secret can reach that line either. */
function scrubbed(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const message = redact(error.message, secrets);
  if (message === error.message) return error;
  const clean = new StopwattError(message);
  Object.defineProperty(clean, 'name', { value: error.name });
  return clean;
}
