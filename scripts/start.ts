/**
 * `npm start`: with no STOPWATT_TOKEN, a 10-second demo against the simulated charger; with
 * STOPWATT_TOKEN and STOPWATT_API_URL, watches the real account (dry run unless --live).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EXIT_OK } from '../bin/cli/io.ts';
import { main } from '../bin/cli/main.ts';
import { summaryLines } from '../bin/cli/session-summary.ts';
import type { PreparedCheck } from '../bin/commands/check.ts';
import { watchLoop } from '../bin/commands/watch.ts';
import { AmpecoClient } from '../lambdas/adapters/ampeco/client.ts';
import { FileSessionLog } from '../lambdas/adapters/local/file-session-log.ts';
import { parseRules } from '../lambdas/config.ts';
import type { Clock } from '../lambdas/ports.ts';
import { runCheck } from '../lambdas/run-check.ts';
import { AmpecoSimulator, acceleratedClock } from '../lambdas/simulator/server.ts';

const args = process.argv.slice(2);
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };

const HELP = `Usage: npm start [-- --live] [-- <watch options>]

Without STOPWATT_TOKEN: a 10-second demo against a simulated charger (no account needed).
With STOPWATT_TOKEN and STOPWATT_API_URL: watches your real account in dry-run mode (it ends
nothing); add --live to let it end the session. The watch options are those of
'stopwatt watch --help' (e.g. --energy-kwh 20).`;

if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${HELP}\n`);
} else if (process.env.STOPWATT_TOKEN) {
  // Real account: show what would happen first. Ending sessions needs an explicit --live.
  const live = args.includes('--live');
  const rest = args.filter((a) => a !== '--live');
  if (!live) {
    process.stdout.write(
      'stopwatt: watching your real account in DRY-RUN mode: it shows what it would do and ends nothing.\n' +
        '          Run `npm start -- --live <rules>` to let it end the session.\n',
    );
  }
  process.exitCode = await main(['watch', ...(live ? [] : ['--dry-run']), ...rest], io);
} else {
  process.exitCode = await demo();
}

async function demo(): Promise<number> {
  const speed = 60;
  const powerKw = 11;
  const startKwh = 6.2;
  const targetKwh = 8;
  const intervalMs = 60_000;
  const simClock = acceleratedClock(speed);
  const simulator = await AmpecoSimulator.start({
    clock: simClock,
    firstSessionId: Math.floor(Date.now() / 1000),
  });
  const store = process.env.STOPWATT_STORE ?? (await mkdtemp(join(tmpdir(), 'stopwatt-demo-')));
  try {
    const session = simulator.addSession({ powerKw, energyWh: startKwh * 1000, spotPrice: 0.62, markup: 1 });
    const clock: Clock = {
      now: () => new Date(simClock.now()),
      sleep: (ms) => delay(ms / speed, undefined, { signal: controller.signal }),
    };
    printIntro({ url: simulator.url, speed, sessionId: session.id, powerKw, startKwh, targetKwh, store });
    const rules = parseRules({ energyKwh: targetKwh });
    const log = new FileSessionLog({ dir: store, account: 'demo' });
    const api = new AmpecoClient({
      apiUrl: simulator.url,
      deviceId: '0123456789abcdef',
      auth: { token: async () => 'demo' },
    });
    const warnings: string[] = [];
    const prepared: PreparedCheck = {
      rules,
      secrets: ['demo'],
      warnings,
      hasRule: true,
      run: () =>
        runCheck({
          api,
          log,
          rules,
          clock,
          instanceId: 'demo',
          horizonMs: intervalMs,
          warn: (m) => warnings.push(m),
        }),
    };
    const started = Date.now();
    await watchLoop(prepared, io, {
      intervalMs,
      clock,
      energyTargetKwh: targetKwh,
      timeZone: rules.timezone,
      sleep: (ms, signal) => delay(ms / speed, undefined, { signal }),
    });
    const meterWh = await printResult({ log, simulator, sessionId: session.id, store, targetKwh, started });
    return meterWh === null ? 1 : EXIT_OK;
  } finally {
    await simulator.close();
  }
}

function printIntro(demo: {
  url: string;
  speed: number;
  sessionId: string;
  powerKw: number;
  startKwh: number;
  targetKwh: number;
  store: string;
}): void {
  process.stdout.write(
    [
      'stopwatt demo: no STOPWATT_TOKEN set, so this runs against a simulated charger.',
      `  simulated AMPECO API  ${demo.url}  (clock x${demo.speed}: one minute passes every second)`,
      `  session ${demo.sessionId}: charging at ${demo.powerKw} kW, ${demo.startKwh} kWh delivered`,
      `  rule: end the session at ${demo.targetKwh} kWh (polling every simulated minute, stop timed in between)`,
      `  local store: ${demo.store}`,
      '',
    ].join('\n'),
  );
}

/** Prints the summary read back from the store and the true meter at the stop; returns that meter (Wh). */
async function printResult(demo: {
  log: FileSessionLog;
  simulator: AmpecoSimulator;
  sessionId: string;
  store: string;
  targetKwh: number;
  started: number;
}): Promise<number | null> {
  const { log, simulator, sessionId: id, store, targetKwh, started } = demo;
  const summary = (await log.listSessions()).find((s) => s.sessionId === id);
  const meterWh = simulator.endRequests(id)[0]?.sessionEnergyWh ?? null;
  process.stdout.write(
    [
      ...summaryLines(summary, id, store),
      meterWh === null
        ? '  the session was not ended'
        : `  meter at stop ${(meterWh / 1000).toFixed(3)} kWh: ${((meterWh / 1000 - targetKwh) * 1000).toFixed(1)} Wh from the target`,
      `  /end calls    ${simulator.endRequests(id).length}`,
      `  wall time     ${((Date.now() - started) / 1000).toFixed(1)} s`,
      '',
      'Next: `npm test`, or install the CLI (`npm run build && npm install -g .`) and try',
      '`stopwatt simulate` and `stopwatt watch --help`.',
      'On your phone: `stopwatt serve` runs the same loop and serves a page to watch and steer it.',
      '',
    ].join('\n'),
  );
  return meterWh;
}
