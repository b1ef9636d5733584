/**
 * Session history: sessions recorded by real ticks (`runCheck` against the simulator) are read
 * back by `stopwatt sessions` and `stopwatt log`, from the local store and from DynamoDB Local.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { logCommand } from '../../bin/commands/log.ts';
import { sessionsCommand } from '../../bin/commands/sessions.ts';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { DynamoDbSessionLog } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Clock, SessionLog } from '../../lambdas/ports.ts';
import { runCheck } from '../../lambdas/run-check.ts';
import { AmpecoSimulator, ManualClock } from '../../lambdas/simulator/server.ts';
import { runCommand } from '../support/cli-io.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/dynamodb-local.ts';
import { tempDir } from '../support/temp-dir.ts';

const TOKEN = 'history-test-token';
/** The CLI's default account: the commands below read it without --account. */
const ACCOUNT = 'local';
const EARLIER = Date.parse('2026-04-01T20:00:00Z');
const T0 = Date.parse('2026-04-10T17:00:00Z');
const MINUTE_MS = 60_000;
const CSV_HEADER = 'session_id,started_at,ended_at,energy_kwh,cost,currency,stop_reason,status';

interface Recorded {
  readonly dir: string;
  readonly earlierId: string;
  readonly endedId: string;
}

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/**
 * Two sessions on a manual clock: one seen once on April 1 (not ended by stopwatt), and one
 * on April 10 watched every 5 minutes from 2 kWh at 11 kW until the 4 kWh target ends it at
 * 4.75 kWh (unit price 0.5 * 1.25 + 1 = 1.625 DKK/kWh; AMPECO meters whole Wh). The tick after,
 * with no session open, reads its final meter value: 4.765 kWh, 5 s at 11 kW after `/end`.
 */
async function record(log: SessionLog): Promise<Omit<Recorded, 'dir'>> {
  const simClock = new ManualClock(EARLIER);
  const sim = await AmpecoSimulator.start({ clock: simClock, token: TOKEN });
  try {
    const clock: Clock = {
      now: () => new Date(simClock.now()),
      sleep: async (ms) => simClock.advance(Math.max(0, ms)),
    };
    const deps = {
      api: new AmpecoClient({
        apiUrl: sim.url,
        deviceId: '0123456789abcdef',
        auth: { token: async () => TOKEN },
      }),
      log,
      rules: parseRules({ energyKwh: 4 }),
      clock,
      instanceId: 'history-test',
    };
    const earlier = sim.addSession({ energyWh: 1_000, powerKw: 7.4, meter: 'continuous' });
    await runCheck(deps);
    sim.removeSession(earlier.id);

    simClock.set(T0);
    const ended = sim.addSession({ energyWh: 2_000, powerKw: 11, stopDelayMs: 5_000, meter: 'continuous' });
    const actions: string[] = [];
    for (let tick = 0; tick < 4; tick += 1) {
      if (tick > 0) simClock.advance(5 * MINUTE_MS);
      actions.push((await runCheck(deps)).action);
    }
    simClock.advance(MINUTE_MS);
    actions.push((await runCheck(deps)).action);
    expect(actions).toEqual(['continue', 'continue', 'continue', 'end', 'none']);
    return { earlierId: earlier.id, endedId: ended.id };
  } finally {
    await sim.close();
  }
}

let local: Recorded;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const dir = await tempDir('stopwatt-history-', cleanups);
  local = { dir, ...(await record(new FileSessionLog({ dir, account: ACCOUNT }))) };
  env = { STOPWATT_STORE: dir };
});

describe('stopwatt sessions (local store)', () => {
  it('lists both sessions as a table, oldest first, with kWh, cost and who stopped them', async () => {
    // Act
    const { code, stdout, stderr } = await runCommand(sessionsCommand, [], { env });

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^session +started \(Europe\/Copenhagen\) +ended +kWh +cost +stopped by$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${local.earlierId} +2026-04-01 21:51 +active +1\\.00 +2\\.50 DKK +-$`),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^${local.endedId} +2026-04-10 18:49 +2026-04-10 19:15 +4\\.76 +7\\.74 DKK +stopwatt \\(energy\\)$`,
      ),
    );
  });

  it('prints CSV with the export header and one row per session with the right numbers', async () => {
    // Act
    const { code, stdout } = await runCommand(sessionsCommand, ['--csv'], { env });

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        CSV_HEADER,
        `${local.earlierId},2026-04-01T19:51:53.000Z,,1.000,2.50,DKK,,active`,
        `${local.endedId},2026-04-10T16:49:05.000Z,2026-04-10T17:15:00.000Z,4.765,7.74,DKK,energy,finished`,
        '',
      ].join('\n'),
    );
  });

  it('keeps only the sessions started on or after --since', async () => {
    // Act
    const later = await runCommand(sessionsCommand, ['--since', '2026-04-05', '--csv'], { env });
    const sameDay = await runCommand(sessionsCommand, ['--since', '2026-04-10', '--csv'], { env });
    const none = await runCommand(sessionsCommand, ['--since', '2026-04-11'], { env });

    // Assess
    expect(later.stdout.trimEnd().split('\n')).toEqual([
      CSV_HEADER,
      expect.stringMatching(new RegExp(`^${local.endedId},`)),
    ]);
    expect(sameDay.stdout).toBe(later.stdout);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no sessions recorded yet\n');
  });

  it('rejects a --since that is not a date with exit 2', async () => {
    // Act
    const { code, stdout, stderr } = await runCommand(sessionsCommand, ['--since', 'last week'], { env });

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('stopwatt: --since must be a date YYYY-MM-DD (got "last week")\n');
  });
});

describe('stopwatt log (local store)', () => {
  it('shows charts of power, energy and price, and a timeline of observations, decisions, claim and result', async () => {
    // Act
    const { code, stdout, stderr } = await runCommand(logCommand, [local.endedId], { env });

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Session ${local.endedId}`);
    for (const label of ['power', 'energy (cumulative)', 'price']) expect(lines).toContain(label);
    expect(stdout).toContain('11.00 kW │████');
    expect(stdout).toContain('4.76 kWh │');
    expect(stdout).toContain('1.63 DKK/kWh │████');
    const timeline = lines.slice(lines.indexOf('Timeline (Europe/Copenhagen):') + 1);
    expect(timeline).toEqual([
      '2026-04-10 19:00:00  seen      active/charging  2.000 kWh  11.00 kW  3.25 DKK  (meter at 2026-04-10 19:00:00)',
      expect.stringMatching(/^2026-04-10 19:00:00 {2}decided {3}continue: /),
      '2026-04-10 19:05:00  seen      active/charging  2.916 kWh  11.00 kW  4.74 DKK  (meter at 2026-04-10 19:05:00)',
      expect.stringMatching(/^2026-04-10 19:05:00 {2}decided {3}continue: /),
      '2026-04-10 19:10:00  seen      active/charging  3.833 kWh  11.00 kW  6.23 DKK  (meter at 2026-04-10 19:10:00)',
      expect.stringMatching(/^2026-04-10 19:10:00 {2}decided {3}continue: /),
      '2026-04-10 19:15:00  seen      active/charging  4.750 kWh  11.00 kW  7.72 DKK  (meter at 2026-04-10 19:15:00)',
      expect.stringMatching(/^2026-04-10 19:15:00 {2}decided {3}end \(energy\): .*4\.75.* kWh.*4 kWh/),
      '2026-04-10 19:15:00  claimed   stop attempt 1 by history-test',
      '2026-04-10 19:15:00  stop      accepted (attempt 1); estimate at /end 4.750 kWh at 11.00 kW',
      '2026-04-10 19:16:00  seen      finished/eVConnected  4.765 kWh  0.00 kW  7.74 DKK  (meter at 2026-04-10 19:15:05)  final energy: 0.015 kWh after the estimate at /end (4.9 s at 11.00 kW)',
      '2026-04-10 19:16:00  decided   already-stopping',
    ]);
  });

  it('prints the observations as CSV', async () => {
    // Act
    const { code, stdout } = await runCommand(logCommand, [local.endedId, '--csv'], { env });

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'observed_at,status,charging_state,energy_kwh,power_kw,cost,price_per_kwh',
        '2026-04-10T17:00:00.000Z,active,charging,2.000,11.000,3.25,1.6250',
        '2026-04-10T17:05:00.000Z,active,charging,2.916,11.000,4.74,1.6250',
        '2026-04-10T17:10:00.000Z,active,charging,3.833,11.000,6.23,1.6250',
        '2026-04-10T17:15:00.000Z,active,charging,4.750,11.000,7.72,1.6250',
        '2026-04-10T17:16:00.000Z,finished,eVConnected,4.765,0.000,7.74,1.6250',
        '',
      ].join('\n'),
    );
  });

  it('shows a session seen once without charts', async () => {
    // Act
    const { code, stdout } = await runCommand(logCommand, [local.earlierId], { env });

    // Assess
    expect(code).toBe(0);
    expect(stdout).not.toContain('│');
    expect(stdout).toContain('2026-04-01 22:00:00  seen      active/charging  1.000 kWh  7.40 kW');
  });

  it('exits 1 with a one-line message for an unknown session id', async () => {
    // Act
    const { code, stdout, stderr } = await runCommand(logCommand, ['999999'], { env });

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('stopwatt: no records for session 999999\n');
  });

  it('exits 2 without exactly one session id', async () => {
    // Act
    const none = await runCommand(logCommand, [], { env });
    const two = await runCommand(logCommand, ['1', '2'], { env });

    // Assess
    expect(none.code).toBe(2);
    expect(two.code).toBe(2);
    expect(none.stderr).toBe('stopwatt: give exactly one SESSION_ID (see stopwatt sessions)\n');
  });
});

describe('stopwatt sessions and log --table (DynamoDB)', () => {
  let table: TestTable;
  let ids: Omit<Recorded, 'dir'>;

  beforeAll(async () => {
    const endpoint = inject('dynamoDbEndpoint');
    table = await createTestTable(endpoint);
    cleanups.push(() => table.drop());
    ids = await record(
      new DynamoDbSessionLog({
        client: table.client,
        tableName: table.tableName,
        account: ACCOUNT,
        ttlDays: 90,
      }),
    );
  });

  /** The CLI builds its own client: point the AWS SDK environment at DynamoDB Local. */
  function stubAwsEnvironment(): void {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', inject('dynamoDbEndpoint'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
  }

  it('lists the same sessions as CSV, with --since', async () => {
    // Prepare
    stubAwsEnvironment();
    const args = ['--table', table.tableName, '--region', LOCAL_REGION, '--csv'];

    // Act
    const all = await runCommand(sessionsCommand, args, { env: {} });
    const since = await runCommand(sessionsCommand, [...args, '--since', '2026-04-05'], { env: {} });

    // Assess
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(
      [
        CSV_HEADER,
        `${ids.earlierId},2026-04-01T19:51:53.000Z,,1.000,2.50,DKK,,active`,
        `${ids.endedId},2026-04-10T16:49:05.000Z,2026-04-10T17:15:00.000Z,4.765,7.74,DKK,energy,finished`,
        '',
      ].join('\n'),
    );
    expect(since.stdout.trimEnd().split('\n')).toEqual([
      CSV_HEADER,
      expect.stringMatching(`^${ids.endedId},`),
    ]);
  });

  it('shows the same timeline as the local store', async () => {
    // Prepare
    stubAwsEnvironment();
    const args = ['--table', table.tableName, '--region', LOCAL_REGION];

    // Act
    const fromTable = await runCommand(logCommand, [ids.endedId, ...args], { env: {} });
    const fromStore = await runCommand(logCommand, [local.endedId], { env });
    const unknown = await runCommand(logCommand, ['999999', ...args], { env: {} });

    // Assess
    expect(fromTable.code).toBe(0);
    expect(fromTable.stdout.replaceAll(ids.endedId, 'ID')).toBe(
      fromStore.stdout.replaceAll(local.endedId, 'ID'),
    );
    expect(unknown.code).toBe(1);
  });
});
