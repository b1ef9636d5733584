import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { acceptanceChecks } from './acceptance.ts';
import { bundleHandler } from './bundle.ts';
import { cadenceChecks, cadenceLines, measureCadence } from './cadence.ts';
import { measureColdStart, measureNodeStartup } from './cold-start.ts';
import { type CostInputs, estimateMonthlyCost, FREE_TIER, PRICES } from './cost.ts';
import { type EnergyBlock, runBoundary, runEnergy } from './experiments.ts';
import { sizeCollector } from './item-size.ts';
import { measureTickLogBytes } from './log-bytes.ts';
import { measureParameterReads } from './parameter-reads.ts';
import {
  boundaryTable,
  bundleTable,
  costTable,
  energyTable,
  meterLabel,
  parameterReadsTable,
  vsStopwatt,
} from './report.ts';
import { DEADLINE, deadlineCases, energyCases, PRICE, priceCases, type ScenarioConfig } from './scenarios.ts';
import { type SimOptions, simulate } from './simulate.ts';
import { round } from './stats.ts';
import { BASELINES, RAW_POLL_60, STOPWATT, STRATEGIES } from './strategies.ts';

const SEED = Number(process.env.BENCH_SEED ?? 20250602);
const N = Number(process.env.BENCH_N ?? 200);
/** Sessions per sensitivity row (another meter cadence at 22 kW). */
const N_SENSITIVITY = Number(process.env.BENCH_SENSITIVITY_N ?? 100);
const COLD_START_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const POWERS_KW = [3.7, 11, 22] as const;
const SIM: SimOptions = { latencyMs: 150, jitterMs: 50, dbLatencyMs: 8, seed: SEED };
/** The real network: a meter value every 60 s at start + 1 s + k·60 s, ±5 % power, 3 s stop latency. */
const SCENARIO: ScenarioConfig = {
  n: N,
  seed: SEED,
  noise: 0.05,
  segmentMs: 10_000,
  meter: { everyS: 60, phaseS: 1 },
  stopLatencyMs: 3_000,
};
const SENSITIVITY_METERS: readonly ScenarioConfig['meter'][] = [
  'continuous',
  { everyS: 10, phaseS: 1 },
  { everyS: 300, phaseS: 1 },
  { perKwh: 1 },
];
/** Cost profile: 20 sessions a month, each open 3 h (180 ticks at rate(1 minute)). */
const USAGE = {
  sessionsPerMonth: 20,
  sessionHours: 3,
  ticksPerMonth: 43_200,
  tickMs: 400,
  coldStartsPerDay: 12,
};

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

// Timings first, while nothing else of ours runs.
progress('bundling lambdas/check/handler.ts (esbuild, as the CDK does)');
const bundle = await bundleHandler();
progress(
  `cold start: ${COLD_START_RUNS} fresh node processes each for the bundle, with source maps, and an empty module`,
);
const coldStarts = [
  measureColdStart(bundle.outfile, COLD_START_RUNS),
  measureColdStart(bundle.outfile, COLD_START_RUNS, '--enable-source-maps'),
];
const nodeAlone = measureNodeStartup(COLD_START_RUNS);
await rm(dirname(bundle.outfile), { recursive: true, force: true });

const energy: EnergyBlock[] = [];
for (const powerKw of POWERS_KW) {
  const strategies = powerKw === 22 ? [...STRATEGIES, RAW_POLL_60] : STRATEGIES;
  progress(`energy rule at ${powerKw} kW: ${N} sessions x ${strategies.length} strategies (${elapsed()})`);
  energy.push(await runEnergy(powerKw, SCENARIO, SIM, strategies));
}
const sensitivity: EnergyBlock[] = [];
for (const meter of SENSITIVITY_METERS) {
  progress(`sensitivity: 22 kW, ${meterLabel(meter)} meter, ${N_SENSITIVITY} sessions (${elapsed()})`);
  sensitivity.push(await runEnergy(22, { ...SCENARIO, n: N_SENSITIVITY, meter }, SIM, STRATEGIES));
}
progress(`price boundary and deadline (${elapsed()})`);
const price = await runBoundary(priceCases(SCENARIO), SIM, STRATEGIES);
const deadline = await runBoundary(deadlineCases(SCENARIO), SIM, STRATEGIES);

progress('DynamoDB item sizes and log bytes per tick');
const sizes = sizeCollector();
for (const k of energyCases({ ...SCENARIO, n: Math.min(N, 10) }, 11)) {
  await simulate({ ...k.c, onItem: sizes.onItem }, STOPWATT, SIM);
}
const itemSizes = sizes.averages();
const logBytes = await measureTickLogBytes();
const parameterReads = await measureParameterReads({ ...USAGE, tickMs: 60_000, tokenSetsPerMonth: 1 });
// The cost uses the mode that decrypts more.
const parameterMode =
  parameterReads.loginMode.decrypts > parameterReads.tokenMode.decrypts
    ? parameterReads.loginMode
    : parameterReads.tokenMode;

progress(`adaptive cadence: idle days and charged hours against the simulator (${elapsed()})`);
const cadence = await measureCadence();

// Acceptance (reported, not asserted).
const acceptance = [...acceptanceChecks(energy, sensitivity, STOPWATT.name), ...cadenceChecks(cadence)];

// Cost.
const sw11 = energy.find((b) => b.powerKw === 11)?.rows.find((r) => r.strategy === STOPWATT.name);
const writeKinds = Object.values(itemSizes);
const writeCount = writeKinds.reduce((s, k) => s + k.count, 0);
const writeUnitsPerWrite =
  writeCount > 0
    ? writeKinds.reduce((s, k) => s + k.count * Math.max(1, Math.ceil(k.meanBytes / 1024)), 0) / writeCount
    : 1;
const coldMaps = coldStarts[1] ?? coldStarts[0];
const costInputs: CostInputs = {
  ticksPerMonth: USAGE.ticksPerMonth,
  tickMs: USAGE.tickMs,
  memoryGb: 0.25,
  sessionTicksPerMonth: USAGE.sessionsPerMonth * USAGE.sessionHours * 60,
  stopsPerMonth: USAGE.sessionsPerMonth,
  waitMsPerStop: sw11?.stats.meanWaitMs ?? 30_000,
  coldStartsPerMonth: USAGE.coldStartsPerDay * 30 + USAGE.sessionsPerMonth,
  initMs: coldMaps?.totalMs.median ?? 500,
  writesPerSessionTick: sw11?.stats.dynamoWritesPerTick ?? 4,
  readsPerSessionTick: sw11?.stats.dynamoReadsPerTick ?? 2,
  writeUnitsPerWrite,
  readUnitsPerRead: 1,
  bytesKeptPerSessionTick: itemSizes.observation.meanBytes + itemSizes.decision.meanBytes,
  ttlDays: 90,
  ssmGetsPerMonth: parameterMode.getParameterCalls,
  kmsDecryptsPerMonth: parameterMode.decrypts,
  logBytesPerTick: logBytes.totalBytes,
  fullMonthMetrics: 2,
  alarms: 3,
};
const costTypical = estimateMonthlyCost(costInputs);
const costUpper = estimateMonthlyCost({ ...costInputs, sessionTicksPerMonth: USAGE.ticksPerMonth });

const out = (s = '') => process.stdout.write(`${s}\n`);
out(
  `stopwatt bench  seed ${SEED}  load avg ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs  N ${N} sessions per case (${N_SENSITIVITY} per sensitivity row)  AMPECO latency ${SIM.latencyMs}±${SIM.jitterMs} ms  DynamoDB ${SIM.dbLatencyMs} ms/request`,
);
out(
  `Charger: meter values at start + 1 s + k·60 s (energy, power, duration change only then), power ±${SCENARIO.noise * 100} % per ${SCENARIO.segmentMs / 1000} s, stop latency ${SCENARIO.stopLatencyMs / 1000} s (delivered after /end, in the final meter value)`,
);
out();
out(
  "Energy rule: TRUE overshoot = the finished session's energy (the charger's final meter value) - target, kWh (negative = early)",
);
out(
  '  at /end med: true energy when /end was received - target; late: charger stopped - target reached; calls/chg h: AMPECO calls from start up to and including /end per charged hour; after /end: calls per session after it',
);
out(energyTable(energy));
out();
out(
  'Sensitivity: 22 kW on other meter cadences (continuous; every 10 s; every 300 s; one value per 1 kWh, as Easee)',
);
out(energyTable(sensitivity));
for (const block of [...energy, ...sensitivity]) {
  const sw = block.rows[0];
  if (sw && sw.stats.waits > 0) {
    out(
      `  stopwatt, ${block.powerKw} kW, ${meterLabel(block.meter)} meter: ${sw.stats.waitsWithoutStop} of ${sw.stats.waits} in-tick waits did not end the session`,
    );
  }
}
out();
out(
  `Price and deadline rules: lateness of /end after the boundary (price ${PRICE.before} -> ${PRICE.after} > ${PRICE.threshold}/kWh at a quarter-hour, ${PRICE.powerKw} kW; stopBy ${DEADLINE.stopBy} ${DEADLINE.timezone})`,
);
out(
  boundaryTable([
    { rule: 'price', rows: price },
    { rule: 'deadline', rows: deadline },
  ]),
);
out('  waits w/o stop: in-tick waits after which runCheck did not end the session');
out();
out('Acceptance (computed from this run)');
for (const check of acceptance) {
  out(`  ${check.what}: ${check.value} (${check.limit}): ${check.holds ? 'holds' : 'MISSED'}`);
}
out(`  all targets: ${acceptance.every((c) => c.holds) ? 'hold' : 'NOT all hold'}`);
out();
for (const line of cadenceLines(cadence)) out(line);
out();
out(`Bundle and module init (Node ${process.version} here; Lambda runs nodejs22.x on arm64)`);
out(bundleTable(bundle, coldStarts, nodeAlone));
out();
out(
  `DynamoDB per session tick (stopwatt, 11 kW, measured): ${costInputs.writesPerSessionTick.toFixed(2)} writes, ${costInputs.readsPerSessionTick.toFixed(2)} reads; ` +
    `item bytes: ${Object.entries(itemSizes)
      .map(([k, v]) => `${k} ${v.meanBytes}`)
      .join(
        ', ',
      )}. Log bytes per tick: ${logBytes.appBytes} app + ${logBytes.emfBytes} EMF + ${logBytes.platformBytes} platform.`,
);
out(
  `SSM and KMS per month: the stores' parameter cache driven over ${parameterReads.ticks} ticks, ${parameterReads.coldStarts} cold starts, ${parameterReads.tokenSets} token set; every tick reads its stores`,
);
out(parameterReadsTable(parameterReads));
out();
out(
  `Monthly AWS cost, one account, rate(1 minute) = ${USAGE.ticksPerMonth} ticks, arm64 256 MB, ${USAGE.tickMs} ms/tick (assumed), ` +
    `${USAGE.sessionsPerMonth} sessions x ${USAGE.sessionHours} h, ${costInputs.coldStartsPerMonth} cold starts x ${Math.round(costInputs.initMs)} ms INIT. ${PRICES.asOf}.`,
);
out(costTable(costTypical, costUpper));
out();
out(`done in ${elapsed()}`);

const results = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  machine: { cpus: availableParallelism(), loadAverage1mAtEnd: round(loadavg()[0] ?? Number.NaN, 2) },
  config: {
    seed: SEED,
    n: N,
    sim: SIM,
    scenario: SCENARIO,
    powersKw: POWERS_KW,
    strategies: [...STRATEGIES, RAW_POLL_60],
    price: PRICE,
    deadline: DEADLINE,
  },
  energy: energy.map(blockJson),
  sensitivity: sensitivity.map(blockJson),
  price,
  deadline,
  acceptance,
  bundle,
  coldStarts,
  nodeAlone,
  dynamo: {
    itemSizes,
    writeUnitsPerWrite,
    perSessionTick: { writes: costInputs.writesPerSessionTick, reads: costInputs.readsPerSessionTick },
  },
  logBytes,
  parameterReads,
  cadence,
  cost: {
    prices: PRICES,
    freeTier: FREE_TIER,
    usage: USAGE,
    inputs: costInputs,
    typical: costTypical,
    allTicksInSession: costUpper,
  },
  baselines: BASELINES.map((b) => b.name),
  elapsedSeconds: round((performance.now() - t0) / 1000, 1),
};
await writeFile(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
progress(`wrote bench/results.json (${elapsed()})`);

function blockJson(block: EnergyBlock) {
  const stopwatt = block.rows[0];
  return {
    powerKw: block.powerKw,
    meter: block.meter,
    stopLatencyMs: block.stopLatencyMs,
    sessions: block.sessions,
    rows: block.rows.map((row) => ({
      ...row,
      perSession: row.perSession.map((v) => (v === null ? null : round(v, 5))),
      vsStopwatt: stopwatt && row !== stopwatt ? vsStopwatt(row, stopwatt) : null,
    })),
  };
}
