/**
 * Lenient timestamps and impossible readings from the API (the simulator's `transform` fault
 * rewrites the real response): never a stop on them, and the energy rule survives a bad start.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../bin/commands/check.ts';
import { logCommand } from '../../bin/commands/log.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { AmpecoSimulator, realClock } from '../../lambdas/simulator/server.ts';
import { runCommand } from '../support/cli-io.ts';
import { snapshot } from '../support/snapshots.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

type Json = Record<string, unknown>;

/** A simulator whose session (charging, 12 kWh at 11 kW) is rewritten on every read by `edit`. */
async function world(edit: (session: Json) => void) {
  const token = `tok-${randomBytes(8).toString('hex')}`;
  const sim = await AmpecoSimulator.start({ clock: realClock(), token });
  cleanups.push(() => sim.close());
  const { id } = sim.addSession({ energyWh: 12_000, powerKw: 11 });
  sim.inject({
    kind: 'transform',
    method: 'GET',
    times: Number.POSITIVE_INFINITY,
    transform: (json) => {
      const body = json as { data?: { evses?: { session?: Json | null }[] }[]; session?: Json };
      for (const point of body.data ?? [])
        for (const evse of point.evses ?? []) if (evse.session) edit(evse.session);
      if (body.session) edit(body.session);
      return json;
    },
  });
  const dir = await tempDir('stopwatt-hostile-', cleanups);
  const env = { STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: dir };
  const check = async (...flags: string[]) => {
    const run = await runCommand(checkCommand, ['--json', '--horizon', '0', ...flags], { env });
    return { ...run, json: run.code === 0 ? (JSON.parse(run.stdout) as Json) : null };
  };
  return { sim, id, check };
}

describe.concurrent('hostile readings from the API', () => {
  it.for(['garbage 12', '1', '2025-03-30 14:33:51', '2025-03-30T14:33:51'])(
    'reads startedAt "%s" as unknown: no deadline stop, and the energy rule still ends the session',
    async (startedAt, { expect }) => {
      // Prepare
      const { sim, id, check } = await world((s) => {
        s.startedAt = startedAt;
      });

      // Act
      const deadline = await check('--stop-by', '00:00');
      const energy = await check('--energy-kwh', '10');

      // Assess
      expect(deadline.code, deadline.stderr).toBe(0);
      expect(deadline.json).toMatchObject({ action: 'continue', sessionId: id });
      expect(energy.json).toMatchObject({ action: 'end', reason: 'energy', sessionId: id });
      expect(sim.endRequests(id)).toHaveLength(1);
    },
  );

  it('survives a start beyond year 9999: the tick stores its snapshot and the energy rule ends the session', async ({
    expect,
  }) => {
    // Prepare
    const { sim, id, check } = await world((s) => {
      s.startedAt = '+275760-09-13T00:00:00.000Z';
    });

    // Act
    const result = await check('--energy-kwh', '10');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('cannot store snapshot');
    expect(result.json).toMatchObject({ action: 'end', reason: 'energy' });
    expect(sim.endRequests(id)).toHaveLength(1);
  });

  it.for([
    {
      name: 'energy of 1e12 Wh',
      edit: (s: Json) => Object.assign(s, { energy: 1e12 }),
      flag: ['--energy-kwh', '10'],
    },
    {
      name: 'a totalAmount of 1e300',
      edit: (s: Json) => Object.assign(s, { totalAmount: 1e300 }),
      flag: ['--max-cost', '5'],
    },
    {
      name: 'more energy than 400 kW could deliver in the duration',
      edit: (s: Json) => Object.assign(s, { energy: 500_000, duration: 600, totalDuration: 600 }),
      flag: ['--energy-kwh', '10'],
    },
    {
      name: 'a negative energy',
      edit: (s: Json) => Object.assign(s, { energy: -5_000 }),
      flag: ['--max-cost', '0.01'],
    },
    {
      name: 'a power of 5 MW',
      edit: (s: Json) => Object.assign(s, { power: 5e6 }),
      flag: ['--energy-kwh', '10'],
    },
  ])('ends nothing on $name and warns', async ({ edit, flag }, { expect }) => {
    // Prepare
    const { sim, id, check } = await world(edit);

    // Act
    const result = await check(...flag);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({ action: 'continue', sessionId: id });
    expect(result.stderr).toMatch(
      /stopwatt: warning: session \S+: impossible reading \(.+\); no stop on it\n/,
    );
    expect(sim.endRequests(id)).toHaveLength(0);
  });
});

describe('the log of a metered session', () => {
  it('shows both the read time and the meter sample time of each observation', async () => {
    // Prepare
    const dir = await tempDir('stopwatt-log-meter-', cleanups);
    const log = new FileSessionLog({ dir, account: 'local' });
    await log.recordObservation(snapshot({ sampledAt: new Date('2026-01-15T11:59:31Z') }));

    // Act
    const result = await runCommand(logCommand, ['s1', '--timezone', 'UTC'], {
      env: { STOPWATT_STORE: dir },
    });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/12:00:00 +seen .*\(meter at [^)]*11:59:31\)/);
  });
});
