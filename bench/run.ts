import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleHandler } from './bundle.ts';
import { measureColdStart } from './cold-start.ts';
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
  parameterReadsTable,
  vsStopwatt,
} from './report.ts';
import { DEADLINE, deadlineCases, energyCases, PRICE, priceCases, type ScenarioConfig } from './scenarios.ts';
import { type SimOptions, simulate } from './simulate.ts';
import { round } from './stats.ts';
import { BASELINES, STOPWATT, STRATEGIES } from './strategies.ts';

const SEED = Number(process.env.BENCH_SEED ?? 20250602);
const N = Number(process.env.BENCH_N ?? 200);
const COLD_START_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const POWERS_KW = [3.7, 11, 22] as const;
const SIM: SimOptions = { latencyMs: 150, jitterMs: 50, dbLatencyMs: 8, seed: SEED };
const SCENARIO: ScenarioConfig = { n: N, seed: SEED, noise: 0.02, segmentMs: 10_000 };
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
progress(`cold start: ${COLD_START_RUNS} fresh node processes, twice`);
const coldStarts = [
  measureColdStart(bundle.outfile, COLD_START_RUNS),
  measureColdStart(bundle.outfile, COLD_START_RUNS, '--enable-source-maps'),
];
await rm(dirname(bundle.outfile), { recursive: true, force: true });

const energy: EnergyBlock[] = [];
for (const powerKw of POWERS_KW) {
  progress(`energy rule at ${powerKw} kW: ${N} sessions x ${STRATEGIES.length} strategies (${elapsed()})`);
  energy.push(await runEnergy(powerKw, SCENARIO, SIM, STRATEGIES));
}
progress(`sensitivity: 22 kW, meter reported once a minute (${elapsed()})`);
const sensitivity = await runEnergy(22, { ...SCENARIO, meterSampleMs: 60_000 }, SIM, STRATEGIES);
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

// Acceptance (reported, not asserted).
const block22 = energy.find((b) => b.powerKw === 22);
const sw22 = block22?.rows.find((r) => r.strategy === STOPWATT.name);
const p60 = block22?.rows.find((r) => r.strategy === 'poll 60 s');
const acceptance =
  sw22 && p60
    ? {
        stopwattMedianKwh22: round(sw22.overshootKwh.median, 5),
        medianAtMost002: sw22.overshootKwh.median <= 0.02,
        poll60MedianOverStopwatt: round(p60.overshootKwh.median / sw22.overshootKwh.median, 2),
        poll60MedianOverStopwattAbs: round(p60.medianAbsKwh / sw22.medianAbsKwh, 2),
        atLeast5xBetter:
          p60.overshootKwh.median >= 5 * Math.abs(sw22.overshootKwh.median) &&
          p60.medianAbsKwh >= 5 * sw22.medianAbsKwh,
        callsPerHourStopwatt: round(sw22.stats.callsPerChargedHour, 3),
        callsPerHourPoll60: round(p60.stats.callsPerChargedHour, 3),
        callsDeltaPercent: round(
          (sw22.stats.callsPerChargedHour / p60.stats.callsPerChargedHour - 1) * 100,
          2,
        ),
        callsWithin5Percent: sw22.stats.callsPerChargedHour <= 1.05 * p60.stats.callsPerChargedHour,
      }
    : null;

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
  `stopwatt bench  seed ${SEED}  load avg ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs  N ${N} sessions per case  AMPECO latency ${SIM.latencyMs}±${SIM.jitterMs} ms  DynamoDB ${SIM.dbLatencyMs} ms/request  power noise ${SCENARIO.noise * 100}% per ${SCENARIO.segmentMs / 1000} s`,
);
out();
out(
  'Energy rule: overshoot at the instant /end is received (kWh; negative = early); x/sw = baseline / stopwatt',
);
out(energyTable(energy));
out();
out(
  'Sensitivity (not the main result): 22 kW with the meter reported once a minute, as in the captured Drivee power history',
);
out(energyTable([sensitivity]));
const swSens = sensitivity.rows[0];
if (swSens) {
  out(
    `  stopwatt in-tick waits that did not end the session: ${swSens.stats.waitsWithoutStop} of ${swSens.stats.waits} ` +
      '(the re-reads did not estimate the target reached, so the stop fell to a later tick)',
  );
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
if (acceptance) {
  out(
    `Acceptance at 22 kW: stopwatt median ${fixed5(acceptance.stopwattMedianKwh22)} kWh (<= 0.02: ${yes(acceptance.medianAtMost002)}); ` +
      `60 s polling median is ${acceptance.poll60MedianOverStopwatt}x stopwatt's (|median| ${acceptance.poll60MedianOverStopwattAbs}x; >= 5x: ${yes(acceptance.atLeast5xBetter)}); ` +
      `calls/charged h ${acceptance.callsPerHourStopwatt} vs ${acceptance.callsPerHourPoll60} (${signed(acceptance.callsDeltaPercent)} %; within +5 %: ${yes(acceptance.callsWithin5Percent)})`,
  );
  out();
}
out(`Bundle and module init (Node ${process.version} here; Lambda runs nodejs22.x on arm64)`);
out(bundleTable(bundle, coldStarts));
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
    strategies: STRATEGIES,
    price: PRICE,
    deadline: DEADLINE,
  },
  energy: energy.map(blockJson),
  sensitivityMeterOncePerMinute: blockJson(sensitivity),
  price,
  deadline,
  acceptance,
  bundle,
  coldStarts,
  dynamo: {
    itemSizes,
    writeUnitsPerWrite,
    perSessionTick: { writes: costInputs.writesPerSessionTick, reads: costInputs.readsPerSessionTick },
  },
  logBytes,
  parameterReads,
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
    meterSampleMs: block.meterSampleMs,
    rows: block.rows.map((row) => ({
      ...row,
      perSession: row.perSession.map((v) => (v === null ? null : round(v, 5))),
      vsStopwatt: stopwatt && row !== stopwatt ? vsStopwatt(row, stopwatt) : null,
    })),
  };
}

function fixed5(n: number): string {
  return n.toFixed(5);
}
function yes(b: boolean): string {
  return b ? 'yes' : 'NO';
}
function signed(n: number): string {
  return n >= 0 ? `+${n}` : String(n);
}
