/**
 * What a driver sees from the spawned CLI (issue 15): messages, local times, dry runs, the watch
 * summary, deploy hints. Real loopback servers: the AMPECO simulator, the price feed, SSM.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmpecoSimulator, realClock } from '../../lambdas/simulator/server.ts';
import { STOPWATT_VERSION } from '../../lambdas/version.ts';
import { baseEnv, ROOT, runCli } from '../support/cli-runner.ts';
import { LOCAL_CREDENTIALS } from '../support/dynamodb-local.ts';
import { PriceServer } from '../support/price-server.ts';
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
  sim.addSession({ powerKw: 11, energyWh: 2_000, spotPrice: 0.62, markup: 1, meter: 'continuous' });
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
    expect(run.stderr).toMatch(/expires on \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Copenhagen \(in [45] days\)/);
    expect(run.stderr).toContain('This run takes the token from STOPWATT_TOKEN: set it to a new token');
    expect(run.stderr).not.toContain('token set');
    expect(run.stderr).not.toContain(token);
  });

  it('explains in login --help what the client secret is and where it comes from', async () => {
    // Act
    const run = await runCli(['login', '--help'], baseEnv());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The client secret is the OAuth client secret of the app, not yours');
    expect(run.stdout).toContain('one constant per app, the\nsame for every user');
    expect(run.stdout).toContain("stopwatt does not ship vendors' secrets");
    expect(run.stdout).toContain('POST /api/v1/app/oauth/token');
  });

  it('identifies itself to the charging API as stopwatt/<version>, not as the vendor app', async () => {
    // Prepare
    const { sim, env } = await localSetup(`tok-${'u'.repeat(24)}`);

    // Act
    const run = await runCli(['check', '--energy-kwh', '30', '--horizon', '0'], env);

    // Assess
    expect(run.code).toBe(0);
    const agents = new Set(sim.requests.map((request) => request.headers['user-agent']));
    expect([...agents]).toEqual([`stopwatt/${STOPWATT_VERSION}`]);
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
  it('show as dry runs in log, not as stops, and a tick without rules says so', async () => {
    // Prepare
    const { sim, env } = await localSetup(`tok-${'d'.repeat(24)}`);
    await runCli(['check', '--horizon', '0'], env);
    const checked = await runCli(['check', '--dry-run', '--energy-kwh', '1', '--horizon', '0'], env);

    // Act
    const run = await runCli(['log', '100001'], env);

    // Assess
    expect(checked.stdout).toContain('dry run: would end');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/decided {3}dry run: would end \(energy\): /);
    expect(run.stdout).not.toMatch(/decided {3}end \(/);
    expect(run.stdout).toMatch(/decided {3}continue: no rule set\n/);
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
    expect(run.stdout).toMatch(
      // The energy may be an estimate from the last meter sample, then it says so.
      / {2}stop reason {3}energy \(energy 2(\.\d+)? kWh( \(estimated; [^)]*\))? reached the target of 1 kWh\)/,
    );
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

describe('account names', () => {
  it.each([
    ['token', 'set'],
    ['login', '--username', 'a@example.com'],
    ['rules', 'set', '--energy-kwh', '20'],
  ])('are checked against the deploy config pattern by %s before anything is stored', async (...command) => {
    // Act
    const run = await runCli([...command, '--account', 'Home', '--region', 'eu-west-1'], awsEnv(), {
      input: 'secret-value-1234\nsecret-value-5678\n',
    });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'stopwatt: --account must be 1-32 characters of lowercase a-z, 0-9 and - (got "Home"), like the account names in stopwatt.config.json\n',
    );
    expect([...ssm.parameters.keys()].filter((name) => name.includes('Home'))).toEqual([]);
  });
});

/** A loopback URL on which nothing listens: the price feed's network is down. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

describe('prices when the feed fails', () => {
  it('say the feed is unreachable, not that nothing is published, and fetch again once it is back', async () => {
    // Prepare
    const store = await tempDir('stopwatt-prices-', cleanups);
    const down = { ...baseEnv(), STOPWATT_STORE: store, STOPWATT_EDS_URL: await closedUrl() };

    // Act
    const first = await runCli(['prices'], down);
    const second = await runCli(['prices'], down);
    const server = await PriceServer.start();
    cleanups.push(() => server.close());
    const back = await runCli(['prices'], { ...down, STOPWATT_EDS_URL: server.url });

    // Assess
    for (const run of [first, second]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^stopwatt: no DK1 spot prices: Energi Data Service unreachable at /);
      expect(run.stderr).not.toContain('published');
    }
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('DK1 consumer prices');
    expect(server.count()).toBe(1);
  });

  it('leave the price rule out of check with the reason while the feed is unreachable, and read prices again once it is back', async () => {
    // Prepare
    const { env } = await localSetup(`tok-${'p'.repeat(24)}`);
    const down = { ...env, STOPWATT_EDS_URL: await closedUrl() };
    const check = ['check', '--json', '--price-source', 'spot', '--max-price', '100', '--horizon', '0'];

    // Act
    const first = await runCli(check, down);
    const second = await runCli(check, down);
    const server = await PriceServer.start();
    cleanups.push(() => server.close());
    const back = await runCli(check, { ...down, STOPWATT_EDS_URL: server.url });

    // Assess
    for (const run of [first, second]) {
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ action: 'continue', pricePerKwh: null });
      expect(run.stderr).toMatch(/price feed unavailable: .*Energi Data Service unreachable at /);
      expect(run.stderr).not.toContain('published');
    }
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout).pricePerKwh).toEqual(expect.any(Number));
    expect(back.stderr).not.toContain('price feed unavailable');
    expect(server.count()).toBe(1);
  });

  it('name the failed fetch on the next run while a refusal is being waited out', async () => {
    // Prepare
    const store = await tempDir('stopwatt-prices-', cleanups);
    const server = await PriceServer.start();
    cleanups.push(() => server.close());
    server.fail(429, 10);
    const env = { ...baseEnv(), STOPWATT_STORE: store, STOPWATT_EDS_URL: server.url };
    await runCli(['prices'], env);

    // Act
    const next = await runCli(['prices'], env);

    // Assess
    expect(next.code).toBe(1);
    expect(next.stderr).toMatch(
      /^stopwatt: no DK1 spot prices: the fetch at \d\d:\d\d Europe\/Copenhagen failed \(.*HTTP 429.*\); it is tried again 30 minutes later\n$/,
    );
    expect(next.stderr).not.toContain('published');
    expect(server.count()).toBe(1);
  });
});

/** The Copenhagen wall clock `hours` from now, as HH:MM. */
function copenhagenIn(hours: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Copenhagen',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + hours * 3_600_000));
}

describe('times and prices as a driver reads them', () => {
  it("show the deadline, the timeline and the sessions on the rules' wall clock, labelled, and the chart in DKK", async () => {
    // Prepare
    const { env } = await localSetup(`tok-${'t'.repeat(24)}`);
    const stopBy = copenhagenIn(3);
    const check = ['check', '--stop-by', stopBy, '--energy-kwh', '50', '--horizon', '0'];

    // Act
    const first = await runCli(check, env);
    await runCli(check, env);
    const log = await runCli(['log', '100001'], env);
    const sessions = await runCli(['sessions'], env);

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`deadline at ${stopBy} Europe/Copenhagen`);
    expect(first.stdout).toContain(`next: deadline at ${stopBy}:00 Europe/Copenhagen`);
    expect(first.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(log.stdout).toContain('Timeline (Europe/Copenhagen):');
    expect(log.stdout).toMatch(/\d\.\d\d DKK\/kWh │/);
    expect(sessions.stdout).toMatch(/^session +started \(Europe\/Copenhagen\) +ended /);
  });
});
