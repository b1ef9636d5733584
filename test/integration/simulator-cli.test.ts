import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli } from '../support/cli-runner.ts';
import { sessionIdOf, startSimulate, stopped, urlOf } from '../support/simulate-process.ts';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('stopwatt simulate', () => {
  it('gives a restarted simulator a session id the previous run did not use', async () => {
    // Prepare
    const first = await startSimulate([], children);
    const firstId = sessionIdOf(first.banner);
    await stopped(first.child);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // Act
    const second = await startSimulate([], children);
    const secondId = sessionIdOf(second.banner);

    // Assess
    expect(secondId).not.toBe(firstId);
    expect(await stopped(second.child)).toBe(0);
  }, 60_000);

  it('prints how to add a session with --no-session, and the printed request adds one', async () => {
    // Prepare
    const { child, banner } = await startSimulate(['--no-session', '--power-kw', '7'], children);
    const url = urlOf(banner);
    expect(banner).toContain(`curl -X POST ${url}/__sim/sessions`);

    // Act
    const created = await fetch(`${url}/__sim/sessions`, { method: 'POST', body: '{"powerKw": 7}' });
    const body = (await fetch(`${url}/api/v1/app/personal/charge-points`, {
      headers: { authorization: 'Bearer demo' },
    }).then((response) => response.json())) as { data: { evses: { session: { power: number } | null }[] }[] };

    // Assess
    expect(created.status).toBe(201);
    expect(body.data[0]?.evses[0]?.session?.power).toBe(7000);
    expect(await stopped(child)).toBe(0);
  }, 60_000);

  it('documents the meter, noise, stop latency and session controls in --help', async () => {
    // Act
    const run = await runCli(['simulate', '--help'], baseEnv());

    // Assess
    expect(run.code).toBe(0);
    for (const flag of ['--meter', '--power-noise', '--stop-latency', '--no-session', '/__sim/sessions']) {
      expect(run.stdout).toContain(flag);
    }
  }, 60_000);

  it('rejects an unknown meter cadence with exit code 2', async () => {
    // Act
    const run = await runCli(['simulate', '--meter', 'sometimes'], baseEnv());

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--meter');
  }, 60_000);
});
