/**
 * The local store against damaged or hostile files (issue 12, point 9): the spawned CLI against the
 * simulator over real HTTP, with the store's files broken by hand before the run.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { AmpecoSimulator, realClock } from '../../lambdas/simulator/server.ts';
import { baseEnv, runCli } from '../support/cli-runner.ts';
import { tempDir } from '../support/temp-dir.ts';

const CHECK = ['check', '--json', '--energy-kwh', '10'];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world() {
  const token = `store-${randomBytes(12).toString('hex')}`;
  const sim = await AmpecoSimulator.start({ clock: realClock(), token });
  cleanups.push(() => sim.close());
  const store = await tempDir('stopwatt-store-', cleanups);
  const { id } = sim.addSession({ energyWh: 10_500, powerKw: 11, stopDelayMs: 600_000 });
  const env = { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store };
  const sessionDir = (sessionId: string) => join(store, 'accounts', 'local', 'sessions', sessionId);
  return { sim, store, env, id, sessionDir };
}

describe('local store robustness', () => {
  it('shows the rest of a session log when one line of events.jsonl is torn, naming the bad line', async () => {
    // Prepare: a tick with a stop, then half a line as a crash mid-append would leave.
    const { env, id, sessionDir } = await world();
    expect((await runCli(CHECK, env)).code).toBe(0);
    const events = join(sessionDir(id), 'events.jsonl');
    const intact = (await readFile(events, 'utf8')).trim().split('\n');
    await appendFile(events, '{"kind":"observation","at":"2026-');

    // Act
    const run = await runCli(['log', id], env);

    // Assess
    expect(run.code).toBe(0);
    expect(intact.length).toBeGreaterThanOrEqual(4);
    expect(run.stdout).toContain(id);
    expect(run.stdout).toMatch(/claim/i);
    expect(run.stderr).toMatch(/warning: skipped a damaged record in .*events\.jsonl line \d+/);
  });

  it('lists the other sessions when one summary.json is corrupt, naming the bad file', async () => {
    // Prepare
    const { env, id, sessionDir } = await world();
    expect((await runCli(CHECK, env)).code).toBe(0);
    await mkdir(sessionDir('999'), { recursive: true });
    await writeFile(join(sessionDir('999'), 'summary.json'), '{"sessionId":"999","startedAt":');

    // Act
    const run = await runCli(['sessions'], env);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(id);
    expect(run.stderr).toMatch(/warning: skipped a damaged record in .*999.*summary\.json/);
  });

  it('ends the session despite an empty claim-1.json left by a crash between create and write', async () => {
    // Prepare
    const { sim, env, id, sessionDir } = await world();
    await mkdir(sessionDir(id), { recursive: true });
    const claimFile = join(sessionDir(id), 'claim-1.json');
    await writeFile(claimFile, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(claimFile, minuteAgo, minuteAgo);

    // Act
    const run = await runCli(CHECK, env);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ action: 'end', sessionId: id });
    expect(sim.endRequests(id)).toHaveLength(1);
    expect(JSON.parse(await readFile(claimFile, 'utf8'))).toMatchObject({ attempt: 1, sessionId: id });
  });

  it('refuses to append to an events.jsonl that is a symbolic link, and sends no stop', async () => {
    // Prepare
    const { sim, store, env, id, sessionDir } = await world();
    await mkdir(sessionDir(id), { recursive: true });
    const target = join(store, 'elsewhere.txt');
    await writeFile(target, 'do not touch\n');
    await symlink(target, join(sessionDir(id), 'events.jsonl'));

    // Act
    const run = await runCli(CHECK, env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/events\.jsonl is a symbolic link; refusing to write through it/);
    expect(await readFile(target, 'utf8')).toBe('do not touch\n');
    expect(sim.endRequests(id)).toHaveLength(0);
  });

  it('shows a claim in the log although the runner was killed before writing its log line', async () => {
    // Prepare: an observed tick, then a claim file without its events.jsonl line (kill -9).
    const { sim, store, env, id, sessionDir } = await world();
    sim.inject({ kind: 'status', method: 'POST', status: 503, times: 1 });
    await runCli(CHECK, env);
    const dir = sessionDir(id);
    const events = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    const kept = events.filter((line) => !line.includes('"kind":"claim"'));
    await writeFile(join(dir, 'events.jsonl'), `${kept.join('\n')}\n`);

    // Act
    const run = await runCli(['log', id, '--csv'], env);
    const text = await runCli(['log', id], env);

    // Assess
    expect(kept.length).toBeLessThan(events.length);
    expect(run.code).toBe(0);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/claim/i);
    expect(text.stdout).toContain('attempt 1');
    const timeline = await new FileSessionLog({ dir: store, account: 'local' }).timeline(id);
    expect(timeline.filter((e) => e.kind === 'claim')).toMatchObject([
      { claim: { attempt: 1, sessionId: id } },
    ]);
  });
});
