/**
 * Monthly AWS cost of one stopwatt deployment (one account, default schedule). Estimates only.
 *
 * Unit prices: AWS public list prices for us-east-1 as of 2025 (DynamoDB on-demand after the
 * November 2024 price cut). eu-west-1 is the same for Lambda, Scheduler, CloudWatch metrics and
 * alarms, KMS; about 13 % higher for DynamoDB and 14 % higher for CloudWatch Logs ingestion.
 * Check https://aws.amazon.com/pricing/ before relying on them.
 */
export const PRICES = {
  asOf: 'AWS list prices, us-east-1, as of 2025 (estimates)',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  schedulerPerMillionInvocations: 1.0,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  dynamoStoragePerGbMonth: 0.25,
  dynamoPitrPerGbMonth: 0.2,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  customMetricPerMonth: 0.3,
  alarmPerMonth: 0.1,
  kmsPer10kRequests: 0.03,
  /** Standard parameters and standard-throughput GetParameter calls are free. */
  ssmGetParameter: 0,
} as const;

/** AWS Free Tier amounts per month (the always-free ones; shared with anything else in the account). */
export const FREE_TIER = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  schedulerInvocations: 14_000_000,
  /** On-demand DynamoDB requests have no free tier (the 25 WCU/RCU are provisioned capacity). */
  dynamoWriteUnits: 0,
  dynamoReadUnits: 0,
  dynamoStorageGb: 25,
  logsGb: 5,
  customMetrics: 10,
  alarms: 10,
  kmsRequests: 20_000,
} as const;

export interface CostInputs {
  readonly ticksPerMonth: number;
  /** Billed duration of an ordinary tick (ms). */
  readonly tickMs: number;
  readonly memoryGb: number;
  /** Ticks that see an open session (they log to DynamoDB); the rest only read AMPECO. */
  readonly sessionTicksPerMonth: number;
  readonly stopsPerMonth: number;
  /** Mean in-tick wait before a predicted stop (ms), measured by the simulation. */
  readonly waitMsPerStop: number;
  readonly coldStartsPerMonth: number;
  /** Billed INIT per cold start (ms); Lambda bills INIT for on-demand functions since Aug 2025. */
  readonly initMs: number;
  /** DynamoDB requests per session tick (measured from runCheck + the log port). */
  readonly writesPerSessionTick: number;
  readonly readsPerSessionTick: number;
  /** Write units per write (1 per started KB of item) and read units per strongly consistent read (per 4 KB). */
  readonly writeUnitsPerWrite: number;
  readonly readUnitsPerRead: number;
  /** Bytes kept per session tick (observation + decision items, TTL) and days kept. */
  readonly bytesKeptPerSessionTick: number;
  readonly ttlDays: number;
  /** GetParameter calls (token, credentials, rules), measured over a simulated month. */
  readonly ssmGetsPerMonth: number;
  /** SecureString reads with decryption (KMS Decrypt with the aws/ssm key), measured likewise. */
  readonly kmsDecryptsPerMonth: number;
  readonly logBytesPerTick: number;
  /** Metrics published every tick (Ticks, SuccessfulTicks); Stops/Failures are rare and prorated per hour. */
  readonly fullMonthMetrics: number;
  readonly alarms: number;
}

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly cost: number;
  readonly costAfterFreeTier: number;
}

export interface CostEstimate {
  readonly lines: readonly CostLine[];
  readonly total: number;
  readonly totalAfterFreeTier: number;
}

const GB = 1024 ** 3;

function line(item: string, quantity: number, unit: string, unitPrice: number, free: number): CostLine {
  return {
    item,
    quantity,
    unit,
    cost: quantity * unitPrice,
    costAfterFreeTier: Math.max(0, quantity - free) * unitPrice,
  };
}

export function estimateMonthlyCost(u: CostInputs): CostEstimate {
  const gbSeconds =
    (u.ticksPerMonth * u.tickMs + u.stopsPerMonth * u.waitMsPerStop + u.coldStartsPerMonth * u.initMs) *
    (u.memoryGb / 1000);
  const logGb = (u.ticksPerMonth * u.logBytesPerTick) / GB;
  const storedGb = (u.sessionTicksPerMonth * u.bytesKeptPerSessionTick * (u.ttlDays / 30)) / GB;
  const lines: CostLine[] = [
    line(
      'Lambda requests',
      u.ticksPerMonth,
      'requests',
      PRICES.lambdaPerMillionRequests / 1e6,
      FREE_TIER.lambdaRequests,
    ),
    line('Lambda compute (arm64)', gbSeconds, 'GB-s', PRICES.lambdaArmPerGbSecond, FREE_TIER.lambdaGbSeconds),
    line(
      'Scheduler invocations',
      u.ticksPerMonth,
      'invocations',
      PRICES.schedulerPerMillionInvocations / 1e6,
      FREE_TIER.schedulerInvocations,
    ),
    line(
      'DynamoDB writes (on-demand)',
      u.sessionTicksPerMonth * u.writesPerSessionTick * u.writeUnitsPerWrite,
      'WRU',
      PRICES.dynamoPerMillionWriteUnits / 1e6,
      FREE_TIER.dynamoWriteUnits,
    ),
    line(
      'DynamoDB reads (consistent)',
      u.sessionTicksPerMonth * u.readsPerSessionTick * u.readUnitsPerRead,
      'RRU',
      PRICES.dynamoPerMillionReadUnits / 1e6,
      FREE_TIER.dynamoReadUnits,
    ),
    line('DynamoDB storage', storedGb, 'GB-month', PRICES.dynamoStoragePerGbMonth, FREE_TIER.dynamoStorageGb),
    line('DynamoDB PITR', storedGb, 'GB-month', PRICES.dynamoPitrPerGbMonth, 0),
    line('SSM GetParameter (standard)', u.ssmGetsPerMonth, 'calls', PRICES.ssmGetParameter, 0),
    line(
      'KMS Decrypt (SecureStrings)',
      u.kmsDecryptsPerMonth,
      'requests',
      PRICES.kmsPer10kRequests / 1e4,
      FREE_TIER.kmsRequests,
    ),
    line('CloudWatch Logs ingestion', logGb, 'GB', PRICES.logsIngestionPerGb, FREE_TIER.logsGb),
    // Stored compressed (assumed 5:1) for the stack's one-month retention.
    line('CloudWatch Logs storage (1 month)', logGb * 0.2, 'GB-month', PRICES.logsStoragePerGbMonth, 0),
    line(
      'CloudWatch custom metrics (EMF)',
      u.fullMonthMetrics,
      'metrics',
      PRICES.customMetricPerMonth,
      FREE_TIER.customMetrics,
    ),
    line('CloudWatch alarms', u.alarms, 'alarms', PRICES.alarmPerMonth, FREE_TIER.alarms),
  ];
  return {
    lines,
    total: lines.reduce((s, l) => s + l.cost, 0),
    totalAfterFreeTier: lines.reduce((s, l) => s + l.costAfterFreeTier, 0),
  };
}
