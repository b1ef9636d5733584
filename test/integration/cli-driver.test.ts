/**
 * What a driver sees from the spawned CLI (issue 15): messages, local times, dry runs, the watch
 * summary, deploy hints. Real loopback servers: the AMPECO simulator, the price feed, SSM.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmpecoSimulator, realClock } from '../support/ampeco-simulator.ts';
import { baseEnv, ROOT, runCli } from '../support/cli-runner.ts';
import { LOCAL_CREDENTIALS } from '../support/dynamodb-local.ts';
import { SsmServer } from '../support/ssm-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];
let ssm: SsmServer;

/** The parent's environment without AWS settings, pointed at the SSM loopback server. */
function awsEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(baseEnv()).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_ENDPOINT_URL_SSM: ssm.url,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/** An unsigned JWT with only the claims stopwatt reads (it never verifies signatures). */
function jwtExpiringIn(days: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + days * 86_400;
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: '1', exp })}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
}

/** A simulator with one session charging, a fresh store and the environment pointing at both. */
async function localSetup(token: string): Promise<{ sim: AmpecoSimulator; env: NodeJS.ProcessEnv }> {
  const sim = await AmpecoSimulator.start({ clock: realClock(), token });
  cleanups.push(() => sim.close());
  sim.addSession({ powerKw: 11, energyWh: 2_000 });
  const store = await tempDir('stopwatt-driver-', cleanups);
  return {
    sim,
    env: { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store },
  };
}

beforeAll(async () => {
  ssm = await SsmServer.start();
  cleanups.push(() => ssm.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('AWS commands on Node 20', () => {
  it('print no AWS SDK Node version notice', async () => {
    // Prepare
    const store = await tempDir('stopwatt-aws-', cleanups);

    // Act
    const run = await runCli(['rules', 'get', '--account', 'home', '--region', 'eu-west-1'], {
      ...awsEnv(),
      STOPWATT_STORE: store,
    });

    // Assess
    expect(run.code).toBe(0);
    expect(ssm.requests.length).toBeGreaterThan(0);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
    expect(run.stderr).not.toContain('upgrade to node');
  });
});

describe('messages', () => {
  it('names the bearer token in full when none is set', async () => {
    // Prepare
    const env = { ...baseEnv(), STOPWATT_API_URL: 'http://127.0.0.1:9' };

    // Act
    const run = await runCli(['check', '--energy-kwh', '10'], env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'stopwatt: no access token: set STOPWATT_TOKEN to the bearer token of your charging app account\n',
    );
  });

  it('tells a local run to renew STOPWATT_TOKEN, not to run token set, when the token expires soon', async () => {
    // Prepare
    const token = jwtExpiringIn(5);
    const { env } = await localSetup(token);

    // Act
    const run = await runCli(['check', '--energy-kwh', '30', '--horizon', '0'], env);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('expires on');
    expect(run.stderr).toContain('This run takes the token from STOPWATT_TOKEN: set it to a new token');
    expect(run.stderr).not.toContain('token set');
    expect(run.stderr).not.toContain(token);
  });

  it('answers a negative --max-price for prices with one clean line', async () => {
    // Act
    const run = await runCli(['prices', '--max-price', '-1'], baseEnv());

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'stopwatt: --max-price needs a value (negative numbers are not allowed) (try stopwatt prices --help)\n',
    );
  });
});

describe('dry runs in the history', () => {
  it('show as dry runs in log, not as stops', async () => {
    // Prepare
    const { sim, env } = await localSetup(`tok-${'d'.repeat(24)}`);
    const checked = await runCli(['check', '--dry-run', '--energy-kwh', '1', '--horizon', '0'], env);

    // Act
    const run = await runCli(['log', '100001'], env);

    // Assess
    expect(checked.stdout).toContain('dry run: would end');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/decided {3}dry run: would end \(energy\): /);
    expect(run.stdout).not.toMatch(/decided {3}end \(/);
    expect(sim.endRequests('100001')).toHaveLength(0);
  });
});

describe('watch and the demo', () => {
  it('ends watch with the summary of the session it ended', async () => {
    // Prepare
    const { sim, env } = await localSetup(`tok-${'w'.repeat(24)}`);

    // Act
    const run = await runCli(['watch', '--energy-kwh', '1', '--interval', '5'], env);

    // Assess
    expect(run.code).toBe(0);
    expect(sim.endRequests('100001')).toHaveLength(1);
    expect(run.stdout).toContain('Summary (read back from ');
    expect(run.stdout).toMatch(/ {2}session {7}100001\n/);
    expect(run.stdout).toMatch(/ {2}stop reason {3}energy \(energy 2\.\d+ kWh reached the target of 1 kWh\)/);
    expect(run.stdout).toMatch(/ {2}energy {8}2\.\d{3} kWh at the last reading/);
    expect(run.stdout).toMatch(/ {2}cost {10}(\d+\.\d\d DKK|\?)/);
  });

  it('prints help for npm start -- --help instead of running the demo', async () => {
    // Act
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--help'], {
        cwd: ROOT,
        env: baseEnv(),
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.on('close', (code) => resolve({ code, stdout }));
    });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm start/);
    expect(run.stdout).not.toContain('simulated AMPECO API');
  });
});
