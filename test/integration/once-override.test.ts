/**
 * The one-session override (`rules set --once`): bound to the next session by `check`, applied to
 * that session only, and cleared once it has ended. Locally (rules file, commands run in-process
 * against the simulator) and deployed (SSM rules parameter, the real check handler).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { checkCommand } from '../../bin/commands/check.ts';
import { rulesCommand } from '../../bin/commands/rules.ts';
import type { CheckResult } from '../../lambdas/check/handler.ts';
import { AmpecoSimulator, realClock } from '../../lambdas/simulator/server.ts';
import { runCommand } from '../support/cli-io.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { createTestHandler, OutputCapture } from '../support/handler-harness.ts';
import { SsmServer } from '../support/ssm-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type StoredRules = Record<string, unknown> & { once?: Record<string, unknown> };

describe('rules set --once with local check', () => {
  let sim: AmpecoSimulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const token = `tok-${randomBytes(8).toString('hex')}`;
    sim = await AmpecoSimulator.start({ clock: realClock(), token });
    cleanups.push(() => sim.close());
    dir = await tempDir('stopwatt-once-', cleanups);
    env = { STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: dir };
  });

  const run = (command: typeof checkCommand, args: string[]) => runCommand(command, args, { env });

  async function check(horizonSeconds = 0): Promise<Record<string, unknown>> {
    const result = await run(checkCommand, ['--json', '--horizon', String(horizonSeconds)]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  async function storedRules(): Promise<StoredRules> {
    return JSON.parse(await readFile(join(dir, 'accounts', 'local', 'rules.json'), 'utf8')) as StoredRules;
  }

  it('binds to the next session, ends it at the override, clears itself, and leaves the base rules', async () => {
    // Prepare: base rule 20 kWh, override 5 kWh for one session; no session yet.
    expect((await run(rulesCommand, ['set', '--energy-kwh', '20'])).code).toBe(0);
    const set = await run(rulesCommand, ['set', '--once', '--energy-kwh', '5']);
    expect(set.code).toBe(0);
    const afterSet = await storedRules();
    const idle = await check();
    const afterIdle = await storedRules();
    // 200 Wh below the override at 360 kW: about 2 s away, inside a 10 s horizon.
    const first = sim.addSession({ energyWh: 4_800, powerKw: 360, stopDelayMs: 0, meter: 'continuous' });

    // Act
    const ended = await check(10);
    const whileBound = await storedRules();
    const afterEnd = await check();
    const cleared = await storedRules();
    const second = sim.addSession({ energyWh: 6_000, powerKw: 11, meter: 'continuous' });
    const next = await check();

    // Assess
    expect(JSON.parse(set.stdout)).toMatchObject({ energyKwh: 20, once: { energyKwh: 5 } });
    expect(afterSet).toMatchObject({ energyKwh: 20, once: { energyKwh: 5 } });
    expect(afterSet.once).not.toHaveProperty('sessionId');
    expect(idle.action).toBe('none');
    expect(afterIdle).toEqual(afterSet);

    expect(ended).toMatchObject({ action: 'end', reason: 'energy', sessionId: first.id });
    const [stop] = sim.endRequests(first.id);
    expect(sim.endRequests(first.id)).toHaveLength(1);
    expect(stop?.sessionEnergyWh).toBeGreaterThanOrEqual(4_985);
    expect(stop?.sessionEnergyWh).toBeLessThan(5_200);
    expect(whileBound).toEqual({ ...afterSet, once: { energyKwh: 5, sessionId: first.id } });

    expect(afterEnd.action).toBe('none');
    expect(cleared).not.toHaveProperty('once');
    expect(cleared).toEqual({ ...afterSet, once: undefined });

    expect(next).toMatchObject({ action: 'continue', sessionId: second.id });
    expect(sim.endRequests(second.id)).toEqual([]);
    expect(await storedRules()).toEqual(cleared);
  });

  it('refuses --once with flags it cannot apply to one session, and without any rule flag', async () => {
    // Act
    const source = await run(rulesCommand, ['set', '--once', '--price-source', 'spot', '--energy-kwh', '5']);
    const empty = await run(rulesCommand, ['set', '--once']);

    // Assess
    expect(source.code).toBe(2);
    expect(source.stderr).toBe(
      'stopwatt: --once applies only to --energy-kwh, --max-cost, --stop-by, --max-price, --min-energy-kwh, --stop-now, --leave-alone (not --price-source)\n',
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(
      'stopwatt: --once needs at least one rule flag, e.g. --energy-kwh 20, --stop-now or --leave-alone\n',
    );
  });
});

describe('the once override in SSM through the check handler', () => {
  const RULES_PARAMETER = '/stopwatt/home/rules';
  const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
  let sim: AmpecoSimulator;
  let ssm: SsmServer;
  let table: TestTable;
  let output: OutputCapture;

  beforeAll(async () => {
    sim = await AmpecoSimulator.start({ clock: realClock(), token: TOKEN });
    ssm = await SsmServer.start();
    table = await createTestTable(inject('dynamoDbEndpoint'));
    cleanups.push(
      () => sim.close(),
      () => ssm.close(),
      () => table.drop(),
    );
  });

  beforeEach(() => {
    ssm.parameters.clear();
    ssm.set('/stopwatt/home/token', TOKEN, 'SecureString');
    output = new OutputCapture();
  });

  afterEach(() => {
    output.restore();
  });

  function newHandler(): () => Promise<CheckResult> {
    const instance = createTestHandler({
      apiUrl: sim.url,
      ssmUrl: ssm.url,
      dynamoDbEndpoint: inject('dynamoDbEndpoint'),
      tableName: table.tableName,
    });
    return () => instance.handler({ account: 'home' });
  }

  function storedRules(): { rules: StoredRules; version: number } {
    const stored = ssm.parameters.get(RULES_PARAMETER);
    if (!stored) throw new Error('no rules parameter');
    expect(stored.type).toBe('String');
    return { rules: JSON.parse(stored.value) as StoredRules, version: stored.version };
  }

  it('binds the override in the parameter, ends the session at it, clears it, then applies the base rules', async () => {
    // Prepare
    ssm.set(RULES_PARAMETER, JSON.stringify({ energyKwh: 20, once: { energyKwh: 5 } }));
    const first = sim.addSession({ energyWh: 6_000, powerKw: 11, stopDelayMs: 0 });
    const tick = newHandler();

    // Act
    const ended = await tick();
    const bound = storedRules();
    const idle = await tick();
    const cleared = storedRules();
    const second = sim.addSession({ energyWh: 6_000, powerKw: 11 });
    const next = await tick();

    // Assess
    expect(ended).toMatchObject({ action: 'end', reason: 'energy', sessionId: first.id });
    expect(bound.rules.once).toEqual({ energyKwh: 5, sessionId: first.id });
    expect(bound.rules.energyKwh).toBe(20);
    expect(idle.action).toBe('none');
    expect(cleared.rules).not.toHaveProperty('once');
    expect(cleared.rules.energyKwh).toBe(20);
    expect(next).toMatchObject({ action: 'continue', sessionId: second.id });
    expect(sim.endRequests(second.id)).toEqual([]);
    expect(storedRules().version).toBe(cleared.version);
    sim.removeSession(second.id);
  });

  it('does not overwrite rules changed in SSM meanwhile when it clears an override (warm cache)', async () => {
    // Prepare: the first tick binds and ends; the user then stores new rules with a new override.
    ssm.set(RULES_PARAMETER, JSON.stringify({ energyKwh: 20, once: { energyKwh: 5 } }));
    const first = sim.addSession({ energyWh: 6_000, powerKw: 11, stopDelayMs: 0 });
    const tick = newHandler();
    await tick();
    const changed = { energyKwh: 30, maxPricePerKwh: 3, once: { energyKwh: 7 } };
    ssm.set(RULES_PARAMETER, JSON.stringify(changed));

    // Act: the same warm instance ticks within its rules cache time.
    const idle = await tick();

    // Assess
    expect(sim.endRequests(first.id)).toHaveLength(1);
    expect(idle.action).toBe('none');
    expect(storedRules().rules).toEqual(changed);
  });

  it('does not overwrite rules changed in SSM meanwhile when it binds an override (warm cache)', async () => {
    // Prepare: an unbound override is cached by a warm instance; the user then changes the base rule.
    ssm.set(RULES_PARAMETER, JSON.stringify({ energyKwh: 20, once: { energyKwh: 5 } }));
    const tick = newHandler();
    await tick();
    const changed = { energyKwh: 25, once: { energyKwh: 5 } };
    ssm.set(RULES_PARAMETER, JSON.stringify(changed));
    const session = sim.addSession({ energyWh: 1_000, powerKw: 11 });

    // Act
    const result = await tick();

    // Assess
    expect(result).toMatchObject({ action: 'continue', sessionId: session.id });
    expect(storedRules().rules).toMatchObject({
      energyKwh: 25,
      once: { energyKwh: 5, sessionId: session.id },
    });
    sim.removeSession(session.id);
  });
});
