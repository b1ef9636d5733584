/**
 * `stopwatt rules` on the local store, in-process: getting out of stored rules that no longer
 * validate, and the idle cadence's flags.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rulesCommand } from '../../bin/commands/rules.ts';
import { runCommand } from '../support/cli-io.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A local store whose rules file was edited by hand into something invalid. */
async function storeWithInvalidRules(): Promise<{ env: NodeJS.ProcessEnv; file: string }> {
  const dir = await tempDir('stopwatt-rules-', cleanups);
  const file = join(dir, 'accounts', 'local', 'rules.json');
  await mkdir(join(dir, 'accounts', 'local'), { recursive: true });
  await writeFile(file, '{"energyKwh": -1}\n');
  return { env: { STOPWATT_STORE: dir }, file };
}

describe('stopwatt rules with invalid stored rules', () => {
  it('resets them', async () => {
    // Prepare
    const { env, file } = await storeWithInvalidRules();

    // Act
    const reset = await runCommand(rulesCommand, ['reset'], { env });
    const get = await runCommand(rulesCommand, ['get'], { env });

    // Assess
    expect(reset.code, reset.stderr).toBe(0);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).not.toHaveProperty('energyKwh');
  });

  it('refuses to set on top of them and names the way out', async () => {
    // Prepare
    const { env, file } = await storeWithInvalidRules();

    // Act
    const set = await runCommand(rulesCommand, ['set', '--energy-kwh', '20'], { env });

    // Assess
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(
      /^stopwatt: invalid rules file .*energyKwh.*run 'stopwatt rules reset' first[^\n]*\n$/,
    );
    expect(await readFile(file, 'utf8')).toBe('{"energyKwh": -1}\n');
  });
});

describe('stopwatt rules set with the idle cadence flags', () => {
  it('stores the idle interval and public charging, and switches public charging off again', async () => {
    // Prepare
    const dir = await tempDir('stopwatt-rules-', cleanups);
    const env = { STOPWATT_STORE: dir };
    const file = join(dir, 'accounts', 'local', 'rules.json');
    const on = await runCommand(rulesCommand, ['set', '--idle-interval', '10', '--idle-public-charging'], {
      env,
    });
    const first: unknown = JSON.parse(await readFile(file, 'utf8'));

    // Act
    const off = await runCommand(rulesCommand, ['set', '--no-idle-public-charging'], { env });
    const bad = await runCommand(rulesCommand, ['set', '--idle-interval', '2.5'], { env });

    // Assess
    expect(on.code, on.stderr).toBe(0);
    expect(first).toMatchObject({ idleIntervalMinutes: 10, idlePublicCharging: true });
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      idleIntervalMinutes: 10,
      idlePublicCharging: false,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--idle-interval must be whole minutes from 0 to 60');
  });
});
