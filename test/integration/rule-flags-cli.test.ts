/**
 * The spawned CLI and the rule flags: switching a stored dry run off, H:MM deadlines, a stored
 * one-session override beating a flag, and the override's stop-now and leave-alone.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { AmpecoSimulator, realClock, type SimSessionOptions } from '../../lambdas/simulator/server.ts';
import { baseEnv, type CliRun, runCli } from '../support/cli-runner.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

interface Harness {
  readonly sim: AmpecoSimulator;
  readonly store: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cli: (...args: string[]) => Promise<CliRun>;
  readonly stored: () => Promise<Record<string, unknown>>;
}

async function harness(session: SimSessionOptions | null = null): Promise<Harness> {
  const token = `tok-${randomBytes(16).toString('hex')}`;
  const sim = await AmpecoSimulator.start({ clock: realClock(), token });
  cleanups.push(() => sim.close());
  const store = await tempDir('stopwatt-rule-flags-', cleanups);
  if (session) sim.addSession(session);
  const env = { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store };
  return {
    sim,
    store,
    env,
    cli: (...args) => runCli(args, env, { timeoutMs: 40_000 }),
    stored: async () =>
      JSON.parse(await readFile(join(store, 'accounts', 'local', 'rules.json'), 'utf8')) as Record<
        string,
        unknown
      >,
  };
}

describe.concurrent('rule flags in the spawned CLI', () => {
  it('switches a stored dry run off with rules set --no-dry-run and keeps the other rules', async ({
    expect,
  }) => {
    // Prepare
    const h = await harness();
    const on = await h.cli('rules', 'set', '--dry-run', '--energy-kwh', '20');
    const dryRunStored = (await h.stored()).dryRun;

    // Act
    const valued = await h.cli('rules', 'set', '--dry-run=false');
    const off = await h.cli('rules', 'set', '--no-dry-run');

    // Assess
    expect(on.code, on.stderr).toBe(0);
    expect(dryRunStored).toBe(true);
    expect(valued.code).toBe(2);
    expect(valued.stderr).toBe('stopwatt: --dry-run takes no value; use --no-dry-run to switch it off\n');
    expect(off.code, off.stderr).toBe(0);
    expect(await h.stored()).toMatchObject({ dryRun: false, energyKwh: 20 });
  });

  it('ends the session with check --no-dry-run although the stored rules say dry run', async ({ expect }) => {
    // Prepare
    const h = await harness({ id: '710001', powerKw: 11, energyWh: 12_000 });
    await h.cli('rules', 'set', '--dry-run', '--energy-kwh', '10');

    // Act
    const dry = await h.cli('check', '--json', '--horizon', '0');
    const real = await h.cli('check', '--json', '--horizon', '0', '--no-dry-run');

    // Assess
    expect(JSON.parse(dry.stdout)).toMatchObject({ action: 'dry-run', reason: 'energy' });
    expect(JSON.parse(real.stdout)).toMatchObject({ action: 'end', reason: 'energy' });
    expect(h.sim.endRequests('710001')).toHaveLength(1);
  });

  it('accepts --stop-by H:MM and stores it as HH:MM', async ({ expect }) => {
    // Prepare
    const h = await harness();

    // Act
    const set = await h.cli('rules', 'set', '--stop-by', '7:30');
    const bad = await h.cli('rules', 'set', '--stop-by', '7:3');
    const late = await h.cli('rules', 'set', '--stop-by', '25:00');

    // Assess
    expect(set.code, set.stderr).toBe(0);
    expect((await h.stored()).stopBy).toBe('07:30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('stopwatt: --stop-by must be a time H:MM or HH:MM, 24 h (got "7:3")\n');
    expect(late.code).toBe(2);
    expect(late.stderr).toBe('stopwatt: --stop-by must be a time H:MM or HH:MM, 24 h (got "25:00")\n');
  });

  it('warns when a stored one-session override beats a flag, and rules set --no-once clears it', async ({
    expect,
  }) => {
    // Prepare
    const h = await harness({ id: '710002', powerKw: 11, energyWh: 25_000 });
    const set = await h.cli('rules', 'set', '--once', '--energy-kwh', '20');

    // Act
    const check = await h.cli('check', '--json', '--horizon', '0', '--dry-run', '--energy-kwh', '50');
    const cleared = await h.cli('rules', 'set', '--no-once');

    // Assess: the override (20 kWh) decided, and the warning says so and how to clear it.
    expect(JSON.parse(check.stdout)).toMatchObject({ action: 'dry-run', reason: 'energy' });
    expect(check.stderr).toContain(
      "stopwatt: warning: the one-session override once.energyKwh = 20 beats --energy-kwh 50 for the next session; clear it with 'stopwatt rules set --no-once'\n",
    );
    expect(set.stderr).not.toContain('warning');
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(await h.stored()).not.toHaveProperty('once');
  });

  it('warns when rules set changes a standing rule that a stored override beats, not when it sets the override', async ({
    expect,
  }) => {
    // Prepare
    const h = await harness();

    // Act
    const override = await h.cli('rules', 'set', '--once', '--energy-kwh', '20');
    const standing = await h.cli('rules', 'set', '--energy-kwh', '40');

    // Assess
    expect(override.code, override.stderr).toBe(0);
    expect(override.stderr).not.toContain('warning');
    expect(standing.code, standing.stderr).toBe(0);
    expect(standing.stderr).toContain(
      "stopwatt: warning: the one-session override once.energyKwh = 20 beats --energy-kwh 40 for the next session; clear it with 'stopwatt rules set --no-once'\n",
    );
    expect(await h.stored()).toMatchObject({ energyKwh: 40, once: { energyKwh: 20 } });
  });

  it('does not claim that no rule is set when only a one-session override is', async ({ expect }) => {
    // Prepare
    const h = await harness({ id: '710003', powerKw: 11, energyWh: 5_000 });
    await h.cli('rules', 'set', '--once', '--energy-kwh', '20');

    // Act
    const check = await h.cli('check', '--horizon', '0');

    // Assess
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).not.toContain('no rule is set');
  });

  it('ends the session with reason manual after rules set --once --stop-now', async ({ expect }) => {
    // Prepare
    const h = await harness({ id: '710004', powerKw: 11, energyWh: 5_000 });
    const set = await h.cli('rules', 'set', '--once', '--stop-now');

    // Act
    const check = await h.cli('check', '--json', '--horizon', '0');

    // Assess
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ action: 'end', reason: 'manual', sessionId: '710004' });
    expect(h.sim.endRequests('710004')).toHaveLength(1);
  });

  it('leaves the session alone after rules set --once --leave-alone although a rule holds', async ({
    expect,
  }) => {
    // Prepare
    const h = await harness({ id: '710005', powerKw: 11, energyWh: 30_000 });
    await h.cli('rules', 'set', '--energy-kwh', '10');
    const set = await h.cli('rules', 'set', '--once', '--leave-alone');

    // Act
    const check = await h.cli('check', '--json', '--horizon', '0');

    // Assess
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ action: 'continue', sessionId: '710005' });
    expect(h.sim.endRequests('710005')).toHaveLength(0);
  });

  it('refuses the one-session flags without --once, and leave-alone with a rule', async ({ expect }) => {
    // Prepare
    const h = await harness();

    // Act
    const stopNow = await h.cli('rules', 'set', '--stop-now');
    const both = await h.cli('rules', 'set', '--once', '--leave-alone', '--energy-kwh', '5');

    // Assess
    expect(stopNow.code).toBe(2);
    expect(stopNow.stderr).toBe('stopwatt: --stop-now applies to one session only: add --once\n');
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('stopwatt: --leave-alone cannot be combined with a rule flag\n');
  });
});
