import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseRules } from '../lambdas/config.ts';
import { outcomeFields, runCheck } from '../lambdas/run-check.ts';
import { InMemorySessionLog } from './in-memory-session-log.ts';
import { Rng } from './rng.ts';
import { SimChargingApi } from './sim-charging-api.ts';
import { PowerProfile, SimSession } from './sim-session.ts';
import { VirtualClock } from './virtual-clock.ts';

export interface LogBytesReport {
  /** The handler's Powertools Logger line (one per tick). */
  readonly appBytes: number;
  /** The Powertools Metrics EMF line (one per tick). */
  readonly emfBytes: number;
  /** Lambda's START / END / REPORT lines (text log format), sized from their fixed layout. */
  readonly platformBytes: number;
  readonly totalBytes: number;
  readonly sample: string;
}

/** Lambda platform lines in the default text format (request id is a 36-char UUID). */
const PLATFORM_LINES = [
  'START RequestId: 3f0c2b8e-6a1d-4f7e-9b2a-5c8d1e0f4a7b Version: $LATEST\n',
  'END RequestId: 3f0c2b8e-6a1d-4f7e-9b2a-5c8d1e0f4a7b\n',
  'REPORT RequestId: 3f0c2b8e-6a1d-4f7e-9b2a-5c8d1e0f4a7b\tDuration: 412.35 ms\tBilled Duration: 413 ms\tMemory Size: 256 MB\tMax Memory Used: 98 MB\t\n',
];

/**
 * What one charging tick writes to CloudWatch Logs: runs the real runCheck once (simulated
 * session, 11 kW, mid-session), then logs its outcome with Powertools Logger and Metrics exactly
 * as lambdas/check/handler.ts does, capturing stdout.
 */
export async function measureTickLogBytes(): Promise<LogBytesReport> {
  const start = Date.UTC(2025, 5, 2, 16, 0, 0);
  const clock = new VirtualClock(start + 45 * 60_000);
  const profile = new PowerProfile({ powerKw: 11, noise: 0.05, segmentMs: 10_000, rng: new Rng(7) });
  const session = new SimSession({
    id: '1234567',
    startMs: start,
    profile,
    meter: { everyS: 60, phaseS: 1 },
    stopLatencyMs: 3_000,
  });
  const api = new SimChargingApi(clock, session, { latencyMs: 150, jitterMs: 0, rng: new Rng(8) });
  const outcome = await clock.drive(() =>
    runCheck({
      api,
      log: new InMemorySessionLog(clock),
      rules: parseRules({ energyKwh: 30 }),
      clock,
      instanceId: 'bench',
    }),
  );

  const env = {
    POWERTOOLS_SERVICE_NAME: 'stopwatt',
    POWERTOOLS_METRICS_NAMESPACE: 'Stopwatt',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_LAMBDA_FUNCTION_NAME: 'StopwattStack-CheckFunction1A2B3C4D-AbCdEfGhIjKl',
    _X_AMZN_TRACE_ID:
      'Root=1-6650a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0;Lineage=1:a1b2c3d4:0',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const chunks: string[] = [];
  const write = process.stdout.write;
  try {
    const logger = new Logger({ serviceName: 'stopwatt' });
    const metrics = new Metrics({ namespace: 'Stopwatt', serviceName: 'stopwatt' });
    process.stdout.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    metrics.addMetric('Ticks', MetricUnit.Count, 1);
    logger.appendKeys({ account: 'default' });
    metrics.addMetric('SuccessfulTicks', MetricUnit.Count, 1);
    const result = { account: 'default', ...outcomeFields(outcome) };
    logger.info(outcome.detail, { ...result, waitedMs: outcome.waitedMs });
    const appEnd = chunks.length;
    metrics.publishStoredMetrics();
    process.stdout.write = write;
    const bytes = (parts: string[]) => parts.reduce((s, c) => s + Buffer.byteLength(c, 'utf8'), 0);
    const appBytes = bytes(chunks.slice(0, appEnd));
    const emfBytes = bytes(chunks.slice(appEnd));
    const platformBytes = bytes(PLATFORM_LINES);
    return {
      appBytes,
      emfBytes,
      platformBytes,
      totalBytes: appBytes + emfBytes + platformBytes,
      sample: chunks.slice(0, appEnd).join('').trim(),
    };
  } finally {
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
