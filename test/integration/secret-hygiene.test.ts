/**
 * Secret hygiene and supply chain:
 * - A representative run of the CLI (check: continue, end, 401, HTML error, an API that echoes the
 *   token in its error bodies, a crash with STOPWATT_DEBUG; check --help; sessions; log) with a
 *   distinctive random token; every byte of stdout/stderr and every file in the store is scanned
 *   for the token, pieces of it, and `authorization`/`Bearer` followed by it.
 * - The check Lambda bundle (esbuild, as NodejsFunction builds it) contains only runtime packages.
 * IAM least privilege is asserted on the synthesized template in test/infra/stopwatt-stack.test.ts
 * ("grants exactly its log group, the two account paths, the table and the topic", "uses no
 * managed policies", "grants no wildcard action anywhere ...").
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmpecoSimulator, realClock } from '../../lambdas/simulator/server.ts';
import { baseEnv, type CliRun, filesUnder, ROOT, runCli } from '../support/cli-runner.ts';

const END = /^\/api\/v1\/app\/session\/[^/]+\/end$/;

describe('the token never appears in CLI output or in the local store', () => {
  /** Not JWT-shaped, so only stopwatt's knowledge of its own token can hide it (no pattern match). */
  const token = `swtok${randomBytes(20).toString('hex')}`;
  let sim: AmpecoSimulator;
  let store: string;
  const runs: Array<{ label: string; run: CliRun }> = [];
  let sessionId = '';

  beforeAll(async () => {
    sim = await AmpecoSimulator.start({ clock: realClock(), token });
    store = await mkdtemp(join(tmpdir(), 'stopwatt-secrets-'));
    const env = { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store };
    const cli = async (label: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
      runs.push({ label, run: await runCli(args, { ...env, ...extraEnv }) });
    };
    sessionId = sim.addSession({ energyWh: 2_000, powerKw: 11, stopDelayMs: 600_000 }).id;

    await cli('check: continue', ['check', '--json', '--energy-kwh', '10', '--horizon', '0']);
    // The /end error body echoes the token, as a careless or hostile server might.
    sim.inject({
      kind: 'status',
      status: 500,
      method: 'POST',
      path: END,
      body: { message: `Server Error for Authorization: Bearer ${token} (token ${token})` },
    });
    await cli('check: end fails, error body echoes the token', ['check', '--energy-kwh', '1']);
    await cli('check: end (attempt 2)', ['check', '--json', '--energy-kwh', '1']);
    sim.inject({
      kind: 'status',
      status: 422,
      method: 'GET',
      times: 10,
      body: { message: `The token ${token} is invalid.`, errors: { token: [token] } },
    });
    await cli('check: 422 echoing the token', ['check', '--json', '--energy-kwh', '1']);
    sim.inject({ kind: 'html', status: 502, method: 'GET', times: 10 });
    await cli('check: HTML error page', ['check', '--json', '--energy-kwh', '1']);
    sim.setToken(`other-${randomBytes(8).toString('hex')}`);
    await cli('check: 401', ['check', '--energy-kwh', '1']);
    sim.setToken(token);
    const notADir = join(store, 'file-not-dir');
    await writeFile(notADir, 'x');
    await cli('check: crash with STOPWATT_DEBUG', ['check', '--energy-kwh', '1'], {
      STOPWATT_STORE: notADir,
      STOPWATT_DEBUG: '1',
    });
    await cli('check --help', ['check', '--help']);
    await cli('sessions', ['sessions']);
    await cli('sessions --csv', ['sessions', '--csv']);
    await cli('log', ['log', sessionId]);
    await cli('log --csv', ['log', sessionId, '--csv']);
  });

  afterAll(async () => {
    await sim?.close();
    if (store) await rm(store, { recursive: true, force: true });
  });

  it('ran every command with the expected exit code', () => {
    expect(runs.map(({ label, run }) => [label, run.code])).toEqual([
      ['check: continue', 0],
      ['check: end fails, error body echoes the token', 1],
      ['check: end (attempt 2)', 0],
      ['check: 422 echoing the token', 1],
      ['check: HTML error page', 1],
      ['check: 401', 1],
      ['check: crash with STOPWATT_DEBUG', 1],
      ['check --help', 0],
      ['sessions', 0],
      ['sessions --csv', 0],
      ['log', 0],
      ['log --csv', 0],
    ]);
    expect(sim.endRequests(sessionId)).toHaveLength(2);
  });

  it('sent the token to the API (so the scan below looks for something real)', () => {
    const authorizations = sim.requests.map((request) => request.headers.authorization);
    expect(authorizations).toContain(`Bearer ${token}`);
  });

  it('leaves no trace of the token in any output or stored file', async () => {
    const texts: Array<{ where: string; text: string }> = runs.flatMap(({ label, run }) => [
      { where: `${label}: stdout`, text: run.stdout },
      { where: `${label}: stderr`, text: run.stderr },
    ]);
    const files = await filesUnder(store);
    expect(files.some((file) => file.endsWith('events.jsonl'))).toBe(true);
    for (const file of files) texts.push({ where: file, text: await readFile(file, 'utf8') });
    expect(texts.some(({ text }) => text.includes('HTTP 500'))).toBe(true);

    const hex = token.slice('swtok'.length);
    const needles = [token, hex.slice(0, 16), hex.slice(-16)];
    const leaks = texts.flatMap(({ where, text }) => {
      const found = needles.filter((needle) => text.includes(needle)).map((needle) => `${where}: ${needle}`);
      if (new RegExp(`(authorization|bearer)[^\\n]{0,40}${hex.slice(0, 8)}`, 'i').test(text)) {
        found.push(`${where}: authorization/bearer with the token`);
      }
      return found;
    });
    expect(leaks).toEqual([]);
  });
});

describe('the check Lambda bundle', () => {
  it('contains only runtime dependencies, no build or test tooling', async () => {
    // Prepare
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };

    // Act: bundled the way lib/scheduled-check.ts has NodejsFunction do it (ESM, node22, all inlined).
    const result = await build({
      entryPoints: [join(ROOT, 'lambdas', 'check', 'handler.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      write: false,
      outfile: join(tmpdir(), 'stopwatt-bundle-check.mjs'),
      metafile: true,
      logLevel: 'silent',
    });

    // Assess
    const packages = new Set<string>();
    for (const output of Object.values(result.metafile.outputs)) {
      for (const path of Object.keys(output.inputs)) {
        const tail = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        if (!path.includes('node_modules/')) continue;
        const [scope = '', name = ''] = tail.split('/');
        packages.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
      }
    }
    const direct = [...packages].filter(
      (name) => name in manifest.dependencies || name in manifest.devDependencies,
    );
    expect(direct.filter((name) => name in manifest.devDependencies)).toEqual([]);
    for (const name of direct) expect(Object.keys(manifest.dependencies)).toContain(name);
    for (const name of packages) {
      expect(name).toMatch(
        /^(@aws-sdk\/|@aws\/|@smithy\/|@aws-lambda-powertools\/|zod$|mnemonist$|obliterator$|tslib$)/,
      );
    }
    expect(packages).toContain('zod');
  });
});
