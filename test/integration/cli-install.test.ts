/**
 * The CLI as an installed package: `npm pack` builds dist/ (prepack), the tarball is installed
 * globally into a temporary prefix with runtime dependencies only, and the installed `stopwatt`
 * runs from a directory outside the clone.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOPWATT_VERSION } from '../../lambdas/version.ts';
import { baseEnv, ROOT } from '../support/cli-runner.ts';
import { tempDir } from '../support/temp-dir.ts';

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
let prefix: string;
let outside: string;

/** No npm settings from a parent `npm test` (its prefix, its script context). */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(baseEnv()).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

function installedBin(): string {
  return join(prefix, 'bin', 'stopwatt');
}

beforeAll(async () => {
  const packDir = await tempDir('stopwatt-pack-', cleanups);
  prefix = await tempDir('stopwatt-prefix-', cleanups);
  outside = await tempDir('stopwatt-elsewhere-', cleanups);
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', packDir], {
    cwd: ROOT,
    env: npmEnv(),
  });
  const tarball = join(packDir, packed.stdout.trim().split('\n').pop() ?? '');
  // Offline from the npm cache where it can; the registry only for what the cache lacks.
  await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: outside, env: npmEnv() },
  );
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the packed and globally installed CLI', () => {
  it('ships JavaScript with its runtime dependencies and without development dependencies', async () => {
    // Prepare: done in beforeAll.
    const installed = join(prefix, 'lib', 'node_modules', 'stopwatt');

    // Act
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };

    // Assess
    expect(manifest.bin.stopwatt).toBe('dist/stopwatt.js');
    expect(existsSync(join(installed, 'dist', 'stopwatt.js'))).toBe(true);
    expect(existsSync(join(installed, 'bin', 'stopwatt.ts'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', 'zod'))).toBe(true);
  });

  it('prints its version and the supported Node versions from a directory outside the clone', async () => {
    // Prepare
    const packageJson = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

    // Act
    const { stdout } = await run(installedBin(), ['--version'], { cwd: outside, env: npmEnv() });

    // Assess
    expect(STOPWATT_VERSION).toBe(packageJson.version);
    expect(stdout).toContain(`stopwatt ${packageJson.version}`);
    expect(stdout).toContain(`Node ${process.version}`);
    expect(stdout).toContain('supports Node 20 or newer');
  });

  it('runs the source entry bin/stopwatt.ts directly in the clone', async () => {
    // Act: its hashbang runs tsx from the clone's development dependencies.
    const { stdout } = await run(join(ROOT, 'bin', 'stopwatt.ts'), ['--version'], {
      cwd: ROOT,
      env: npmEnv(),
    });

    // Assess
    expect(stdout).toContain(`stopwatt ${STOPWATT_VERSION}`);
  });

  it('starts the simulator, which answers over HTTP, and stops cleanly on Ctrl-C', async () => {
    // Prepare
    const child = spawn(installedBin(), ['simulate'], { cwd: outside, env: npmEnv() });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Act
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`simulate exited: ${Buffer.concat(stderr).toString()}`)));
    });
    const state = await fetch(`${url}/__sim/state`);
    const body = await state.text();
    child.kill('SIGINT');

    // Assess
    expect(state.status).toBe(200);
    expect(body).toMatch(/"id":"\d{10}"/);
    expect(await exited).toBe(0);
    expect(Buffer.concat(stderr).toString()).toBe('');
  });
});
