/**
 * `stopwatt simulate --speed N` with the watch command it suggests, both spawned as a driver runs
 * them: watch follows the simulator's clock only when told to, and only on this computer.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli } from '../support/cli-runner.ts';
import { sessionIdOf, startSimulate, stopped, urlOf } from '../support/simulate-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const SPEED = 60;
const POWER_KW = 22;
/** The suggested target is the delivered energy + 2 kWh (simulate starts at 0 kWh). */
const TARGET_WH = 2_000;
/** Simulated ms the charger keeps delivering after /end (simulate's default --stop-latency 5). */
const STOP_LATENCY_MS = 5_000;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The `stopwatt watch ...` line of the banner, as environment and arguments. */
function suggestedWatch(banner: string): { env: Record<string, string>; args: string[] } {
  const line = /^ {2}(STOPWATT_API_URL=\S+ STOPWATT_TOKEN=\S+ stopwatt watch .*)$/m.exec(banner)?.[1];
  if (line === undefined) throw new Error(`no watch suggestion in: ${banner}`);
  const words = line.split(' ');
  const env = Object.fromEntries(
    words
      .filter((w) => /^STOPWATT_\w+=/.test(w))
      .map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
  );
  return { env, args: words.slice(words.indexOf('stopwatt') + 1) };
}

interface FinishedSession {
  id: string;
  status: string;
  energyWh: number;
  endRequestedAtMs: number | null;
  finishedAtMs: number | null;
}

describe('stopwatt simulate --speed with the suggested watch', () => {
  it('ends a x60 session within half a second of real time of the target', async () => {
    // Prepare
    const sim = await startSimulate(['--speed', String(SPEED), '--power-kw', String(POWER_KW)], children);
    const id = sessionIdOf(sim.banner);
    const suggestion = suggestedWatch(sim.banner);
    expect(suggestion.args).toContain('--simulator-clock');
    const store = await tempDir('stopwatt-speed-', cleanups);

    // Act
    const watch = await runCli(suggestion.args, { ...baseEnv(), ...suggestion.env, STOPWATT_STORE: store });
    const state = (await (await fetch(`${urlOf(sim.banner)}/__sim/state`)).json()) as {
      sessions: FinishedSession[];
    };

    // Assess
    expect(watch.stderr).toContain(`following the simulator's clock (x${SPEED})`);
    expect(watch.stderr).not.toContain('impossible reading');
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain(`ended session ${id}: energy`);
    expect(watch.stdout).toContain('stop reason   energy');
    // The estimate names its meter sample on the rules' wall clock, as every time shown.
    expect(watch.stdout).toMatch(/\(estimated; meter \d+\.\d+ kWh at \d\d:\d\d:\d\d Europe\/Copenhagen\)/);
    expect(watch.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    const session = state.sessions.find((s) => s.id === id);
    expect(session?.status).toBe('finished');
    // The energy when /end arrived: the final meter less what the stop latency delivered.
    const latencyWh =
      (POWER_KW * 1000 * ((session?.finishedAtMs ?? 0) - (session?.endRequestedAtMs ?? 0))) / 3.6e6;
    expect(latencyWh).toBeCloseTo((POWER_KW * 1000 * STOP_LATENCY_MS) / 3.6e6, 6);
    const atEndWh = (session?.energyWh ?? Number.NaN) - latencyWh;
    // Physics of the speed: every real millisecond is 60 simulated ones, so at 22 kW one real ms
    // of error moves the stop by 22 kW x 60 ms = 0.37 Wh. The errors are real-time ones: the
    // clock read (half the shortest of three loopback round trips), the timer waking late, and the
    // stop claim written between the decision and the /end. Measured: 5-30 Wh (15-80 ms) alone,
    // once 145 Wh (0.4 s) with other test files running. We allow 500 ms of real time (183 Wh)
    // plus the meter's 1 Wh resolution. On real time, watch missed by whole 10 s polls (3.7 kWh
    // each at 22 kW) or judged the 60x energy impossible and never ended the session.
    const toleranceWh = POWER_KW * SPEED * 500 * (1000 / 3.6e6) + 1;
    expect(Math.abs(atEndWh - TARGET_WH)).toBeLessThanOrEqual(toleranceWh);
    expect(await stopped(sim.child)).toBe(0);
  }, 60_000);

  it('refuses --simulator-clock for an API URL that is not on this computer', async () => {
    // Act
    const run = await runCli(
      [
        'watch',
        '--simulator-clock',
        '--energy-kwh',
        '2',
        '--api-url',
        'https://drivee.eu.charge.ampeco.tech',
      ],
      { ...baseEnv(), STOPWATT_TOKEN: 'demo' },
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'stopwatt: --simulator-clock follows a local `stopwatt simulate`; the API URL https://drivee.eu.charge.ampeco.tech is not on this computer',
    );
  }, 60_000);

  it('refuses --simulator-clock against a loopback API without the simulator clock, and ends nothing', async () => {
    // Prepare: a local server that answers every request 404, as a real API answers /__sim/clock.
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found."}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    // Act
    const run = await runCli(['check', '--simulator-clock', '--energy-kwh', '2', '--api-url', url], {
      ...baseEnv(),
      STOPWATT_TOKEN: 'demo',
      STOPWATT_STORE: await tempDir('stopwatt-speed-', cleanups),
    });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `stopwatt: GET /__sim/clock: HTTP 404: ${url} is not \`stopwatt simulate\` (drop --simulator-clock for a real API)`,
    );
    expect(paths).toEqual(['/__sim/clock']);
  }, 60_000);
});
