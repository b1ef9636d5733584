import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, it } from 'vitest';
import { wallTime } from '../../lambdas/core/local-time.ts';
import {
  AmpecoSimulator,
  realClock,
  type SimSessionOptions,
  type SimulatorOptions,
} from '../../lambdas/simulator/server.ts';
import { baseEnv, type CliRun, filesUnder, runCli } from '../support/cli-runner.ts';
import { tempDir } from '../support/temp-dir.ts';

const JSON_KEYS = ['action', 'energyKwh', 'powerKw', 'pricePerKwh', 'reason', 'sessionId'];

interface Harness {
  readonly sim: AmpecoSimulator;
  readonly token: string;
  readonly store: string;
  readonly env: NodeJS.ProcessEnv;
}

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function harness(
  options: { sim?: SimulatorOptions; session?: SimSessionOptions | null } = {},
): Promise<Harness> {
  const token = `tok-${randomBytes(16).toString('hex')}`;
  const sim = await AmpecoSimulator.start({ clock: realClock(), token, ...options.sim });
  cleanups.push(() => sim.close());
  const store = await tempDir('stopwatt-cli-', cleanups);
  if (options.session !== null) sim.addSession({ meter: 'continuous', ...options.session });
  return {
    sim,
    token,
    store,
    env: { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store },
  };
}

/** Spawns the CLI; a run that hangs is killed well inside the test timeout. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return runCli(args, env, { timeoutMs: 40_000 });
}

/** Every text the CLI left behind: stdout, stderr and each file in the store. */
async function allOutput(result: CliRun, store: string): Promise<string> {
  const files = await filesUnder(store);
  const contents = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  return [result.stdout, result.stderr, ...contents].join('\n');
}

function parseJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  if (lines.length !== 1) throw new Error(`expected one line on stdout, got ${lines.length}: ${stdout}`);
  const value = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  const keys = Object.keys(value).sort().join(',');
  if (keys !== JSON_KEYS.join(',')) throw new Error(`unexpected --json keys: ${keys}`);
  return value;
}

function endPaths(sim: AmpecoSimulator): string[] {
  return sim.endRequests().map((r) => `${r.method} ${r.path}`);
}

describe.concurrent('stopwatt check --json', () => {
  it('ends a session that reached the energy target with exactly one POST to its /end', async ({
    expect,
  }) => {
    // Prepare
    const h = await harness({ session: { id: '700001', powerKw: 11, energyWh: 10_500 } });

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(0);
    const out = parseJsonLine(result.stdout);
    expect(Object.keys(out).sort()).toEqual(JSON_KEYS);
    expect(out).toMatchObject({ action: 'end', reason: 'energy', sessionId: '700001', powerKw: 11 });
    expect(out.energyKwh).toBeGreaterThanOrEqual(10.5);
    expect(out.pricePerKwh).toBeCloseTo(1.625, 10);
    expect(endPaths(h.sim)).toEqual(['POST /api/v1/app/session/700001/end']);
    expect(await allOutput(result, h.store)).not.toContain(h.token);
  });

  it('reports already-stopping for a stopping session and sends no stop', async ({ expect }) => {
    // Prepare
    const h = await harness({ session: { status: 'stopping', energyWh: 20_000, stopDelayMs: 60_000 } });

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'already-stopping', reason: null });
    expect(endPaths(h.sim)).toEqual([]);
  });

  it('reports none for a finished session and sends no stop', async ({ expect }) => {
    // Prepare
    const h = await harness({ session: { status: 'finished', energyWh: 20_000 } });

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toEqual({
      action: 'none',
      reason: null,
      sessionId: null,
      energyKwh: null,
      powerKw: null,
      pricePerKwh: null,
    });
    expect(endPaths(h.sim)).toEqual([]);
  });

  it('reports dry-run and sends no stop with --dry-run', async ({ expect }) => {
    // Prepare
    const h = await harness({ session: { energyWh: 10_500 } });

    // Act
    const result = await cli(['check', '--json', '--dry-run', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'dry-run', reason: 'energy' });
    expect(endPaths(h.sim)).toEqual([]);
  });

  it('ends on price when the session price 1.625 is above --max-price', async ({ expect }) => {
    // Prepare
    const h = await harness({ session: { id: '700002', energyWh: 3000 } });

    // Act
    const result = await cli(['check', '--json', '--max-price', '1.5'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({
      action: 'end',
      reason: 'price',
      pricePerKwh: 1.625,
    });
    expect(endPaths(h.sim)).toEqual(['POST /api/v1/app/session/700002/end']);
  });

  it('ends on cost when the session cost reaches --max-cost', async ({ expect }) => {
    // Prepare: 10 kWh at 1.625 is 16.25 DKK.
    const h = await harness({ session: { energyWh: 10_000 } });

    // Act
    const result = await cli(['check', '--json', '--max-cost', '10', '--energy-kwh', '50'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'end', reason: 'cost' });
    expect(endPaths(h.sim)).toHaveLength(1);
  });

  it('ends on the deadline when --stop-by passed since the session started', async ({ expect }) => {
    // Prepare: started 3 h ago; the stop-by time was 1 h ago (Copenhagen wall clock).
    const h = await harness({ session: { energyWh: 2000, startedAt: new Date(Date.now() - 3 * 3_600_000) } });
    const w = wallTime(new Date(Date.now() - 3_600_000), 'Europe/Copenhagen');
    const stopBy = `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;

    // Act
    const result = await cli(['check', '--json', '--stop-by', stopBy], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'end', reason: 'deadline' });
    expect(endPaths(h.sim)).toHaveLength(1);
  });

  it('reports none without a session', async ({ expect }) => {
    // Prepare
    const h = await harness({ session: null });

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'none', sessionId: null });
    expect(endPaths(h.sim)).toEqual([]);
  });

  it('handles a public session found only via /session/active', async ({ expect }) => {
    // Prepare
    const h = await harness({ session: { id: '700003', where: 'public', energyWh: 10_500 } });

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'end', sessionId: '700003' });
    expect(endPaths(h.sim)).toEqual(['POST /api/v1/app/session/700003/end']);
  });

  it('does not wait in-process with --horizon 0', async ({ expect }) => {
    // Prepare: the target is 40 s away at 22 kW; the default horizon (60 s) would wait and end.
    const h = await harness({ session: { powerKw: 22, energyWh: 5000 } });
    const target = (5000 + (22_000 * 40) / 3600) / 1000;

    // Act
    const result = await cli(['check', '--json', '--horizon', '0', '--energy-kwh', target.toFixed(4)], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(parseJsonLine(result.stdout)).toMatchObject({ action: 'continue', reason: null });
    expect(endPaths(h.sim)).toEqual([]);
  });
});

describe.concurrent('stopwatt check: input errors exit 2 with one line on stderr', () => {
  it.for([
    '--energy-kwh -1',
    '--energy-kwh=-1',
    '--energy-kwh abc',
    '--energy-kwh 0',
    '--stop-by 25:00',
    '--price-source foo',
    '--no-such-flag',
  ])('rejects "%s"', async (flags, { expect }) => {
    // Prepare
    const h = await harness();

    // Act
    const result = await cli(['check', '--json', ...flags.split(' ')], h.env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stopwatt: [^\n]+\n$/);
    expect(h.sim.requests).toEqual([]);
    expect(await allOutput(result, h.store)).not.toContain(h.token);
  });

  it('exits 2 without STOPWATT_TOKEN', async ({ expect }) => {
    // Prepare
    const h = await harness();
    const env = { ...h.env, STOPWATT_TOKEN: undefined };

    // Act
    const result = await cli(['check', '--energy-kwh', '10'], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stopwatt: [^\n]*STOPWATT_TOKEN[^\n]*\n$/);
    expect(h.sim.requests).toEqual([]);
  });
});

describe.concurrent('stopwatt check: failures exit 1', () => {
  it('names the auth failure (401) and never prints the token', async ({ expect }) => {
    // Prepare
    const h = await harness({
      sim: { token: `other-${randomBytes(8).toString('hex')}` },
      session: { energyWh: 10_500 },
    });

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^stopwatt: [^\n]*GET \/api\/v1\/app\/personal\/charge-points[^\n]*401[^\n]*\n$/,
    );
    expect(await allOutput(result, h.store)).not.toContain(h.token);
    expect(endPaths(h.sim)).toEqual([]);
  });

  it('reports an unreachable API', async ({ expect }) => {
    // Prepare
    const h = await harness();
    await h.sim.close();

    // Act
    const result = await cli(['check', '--json', '--energy-kwh', '10'], h.env);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stopwatt: [^\n]*connection failed[^\n]*\n$/);
    expect(await allOutput(result, h.store)).not.toContain(h.token);
  });
});

describe.concurrent('stopwatt help and watch', () => {
  it('prints check help and exits 0', async ({ expect }) => {
    // Act
    const result = await cli(['check', '--help'], baseEnv());

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: stopwatt check');
    expect(result.stdout).toContain('--energy-kwh');
  });

  it('watches a fast session until the energy target ends it, then exits 0', async ({ expect }) => {
    // Prepare: 36 kW is 10 Wh/s; the target is 40 Wh above the meter now.
    const h = await harness({ session: { id: '700005', powerKw: 36, energyWh: 10_000, stopDelayMs: 300 } });
    const meterWh = h.sim.session('700005')?.energyWh ?? Number.NaN;
    const target = ((meterWh + 40) / 1000).toFixed(3);

    // Act
    const result = await cli(['watch', '--energy-kwh', target, '--interval', '5'], h.env);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ended session 700005: energy');
    expect(result.stdout).toContain('session 700005 has ended');
    expect(endPaths(h.sim)).toEqual(['POST /api/v1/app/session/700005/end']);
    expect(await allOutput(result, h.store)).not.toContain(h.token);
  });
});
