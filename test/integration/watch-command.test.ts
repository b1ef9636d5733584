/**
 * `stopwatt watch` in-process against the simulator: Ctrl-C during an in-tick wait, the progress
 * target taken from stored rules, flag errors that name the flag, and the idle cadence.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_OPTIONS, parseCommandArgs, prepareCheck } from '../../bin/commands/check.ts';
import { rulesCommand } from '../../bin/commands/rules.ts';
import { watchCommand, watchLoop } from '../../bin/commands/watch.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { AmpecoSimulator, ManualClock, realClock } from '../../lambdas/simulator/server.ts';
import { capture, runCommand } from '../support/cli-io.ts';
import { tempDir } from '../support/temp-dir.ts';

const CHARGE_POINTS = '/api/v1/app/personal/charge-points';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A session at 36 kW (10 Wh/s) and the environment of a local run against it. */
async function setup(sessionId: string) {
  const token = `tok-${randomBytes(8).toString('hex')}`;
  const sim = await AmpecoSimulator.start({ clock: realClock(), token });
  cleanups.push(() => sim.close());
  const store = await tempDir('stopwatt-watch-', cleanups);
  sim.addSession({ id: sessionId, powerKw: 36, energyWh: 10_000, stopDelayMs: 300, meter: 'continuous' });
  const meterWh = sim.session(sessionId)?.energyWh ?? Number.NaN;
  const env = { STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store };
  return { sim, env, meterWh };
}

describe('stopwatt watch', () => {
  it('sends no stop when Ctrl-C comes during an in-tick wait for the target', async () => {
    // Prepare: the target is about 6 s away, inside the 30 s interval, so the first tick waits.
    const { sim, env, meterWh } = await setup('710001');
    const target = ((meterWh + 60) / 1000).toFixed(3);
    const controller = new AbortController();
    const interrupt = (async () => {
      while (!sim.requests.some((r) => r.path === CHARGE_POINTS)) await delay(20);
      await delay(1_500);
      controller.abort();
    })();

    // Act
    const started = performance.now();
    const result = await runCommand(watchCommand, ['--energy-kwh', target, '--interval', '30'], {
      env,
      signal: controller.signal,
    });
    const elapsedMs = performance.now() - started;
    await interrupt;

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('stopped watching; the session was not touched');
    expect(sim.endRequests()).toEqual([]);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('shows progress against the energy target of the stored rules', async () => {
    // Prepare: 40 Wh to go at 10 Wh/s, the target set with `rules set` rather than a flag.
    const { sim, env, meterWh } = await setup('710002');
    const target = (meterWh + 40) / 1000;
    const set = await runCommand(rulesCommand, ['set', '--energy-kwh', String(target)], { env });

    // Act
    const result = await runCommand(watchCommand, ['--interval', '5'], { env });

    // Assess
    expect(set.code, set.stderr).toBe(0);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`/${target.toFixed(2)} kWh [`);
    expect(result.stdout).toContain('ended session 710002: energy');
    expect(sim.endRequests().map((r) => r.path)).toEqual(['/api/v1/app/session/710002/end']);
  });

  it.each([
    { interval: 'abc', message: 'stopwatt: --interval must be a number of seconds (got "abc")\n' },
    { interval: '1000', message: 'stopwatt: --interval must be at most 900 seconds (got 1000)\n' },
  ])('names --interval when it is $interval', async ({ interval, message }) => {
    // Act
    const result = await runCommand(watchCommand, ['--interval', interval], { env: {} });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
    expect(result.stdout).toBe('');
  });
});

describe('stopwatt watch on the idle cadence', () => {
  it('reads once every idle interval with one request while no session is open, then every interval', async () => {
    // Prepare: no session until the third idle wait is over; a manual clock moved by the waits.
    const simClock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const sim = await AmpecoSimulator.start({ clock: simClock, token });
    cleanups.push(() => sim.close());
    const store = await tempDir('stopwatt-watch-', cleanups);
    const env = { STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store };
    const io = {
      env,
      stdout: capture().stream,
      stderr: capture().stream,
      signal: new AbortController().signal,
    };
    const controller = new AbortController();
    const clock: Clock = { now: () => new Date(simClock.now()), sleep: async (ms) => simClock.advance(ms) };
    const { values } = parseCommandArgs(['--energy-kwh', '50'], CHECK_OPTIONS);
    const prepared = await prepareCheck(values, io, { horizonMs: 0, clock });
    const waits: { ms: number; requests: number }[] = [];
    const sleep = async (ms: number) => {
      waits.push({ ms, requests: sim.requests.length });
      simClock.advance(ms);
      if (waits.length === 3) sim.addSession({ energyWh: 2_000, powerKw: 11 });
      if (waits.length === 5) controller.abort();
    };

    // Act
    const stdout = capture();
    await watchLoop(
      prepared,
      { ...io, stdout: stdout.stream, signal: controller.signal },
      { intervalMs: 60_000, idleIntervalMs: 300_000, clock, sleep },
    );

    // Assess: the first read looks everywhere (2 requests), the idle ones at the charge points only.
    expect(waits).toEqual([
      { ms: 300_000, requests: 2 },
      { ms: 300_000, requests: 3 },
      { ms: 300_000, requests: 4 },
      { ms: 60_000, requests: 5 },
      { ms: 60_000, requests: 6 },
    ]);
    expect(sim.requests.slice(2).every((r) => r.path === CHARGE_POINTS)).toBe(true);
    expect(stdout.text()).toContain('no active session; next look in 5 min (Ctrl-C to stop)');
  });
});
