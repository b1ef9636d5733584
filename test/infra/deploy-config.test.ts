import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployConfig, parseDeployConfig, rateMinutes } from '../../lib/deploy-config.ts';
import { REPO_ROOT } from './stack-fixture.ts';

function errorOf(input: unknown): string {
  try {
    parseDeployConfig(input, 'stopwatt.config.json');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected the config to be rejected');
}

describe('parseDeployConfig', () => {
  it('fills every default from an empty object', () => {
    expect(parseDeployConfig({})).toEqual({
      accounts: [
        {
          name: 'default',
          apiUrl: 'https://drivee.eu.charge.ampeco.tech',
          priceArea: 'DK1',
          schedule: 'rate(1 minute)',
          idleIntervalMinutes: 5,
          horizonSeconds: 60,
        },
      ],
      logRetentionDays: 90,
      logGroupRetentionDays: 30,
      alarms: { noTickMinutes: 15 },
      web: false,
    });
  });

  it('derives horizonSeconds from the rate interval of each account', () => {
    const config = parseDeployConfig({
      accounts: [
        { name: 'a' },
        { name: 'b', schedule: 'rate(5 minutes)' },
        { name: 'c', schedule: 'rate(14 minutes)' },
      ],
    });
    expect(config.accounts.map((account) => account.horizonSeconds)).toEqual([60, 300, 840]);
  });

  it('keeps optional notification settings when they are valid', () => {
    const config = parseDeployConfig({
      notificationEmail: 'driver@example.com',
      webhookUrl: 'https://hooks.example.com/x',
    });
    expect(config.notificationEmail).toBe('driver@example.com');
    expect(config.webhookUrl).toBe('https://hooks.example.com/x');
  });

  it.each([
    ['an uppercase name', { accounts: [{ name: 'Home' }] }, 'accounts.0.name: must be 1-32 characters'],
    ['an empty name', { accounts: [{ name: '' }] }, 'accounts.0.name: must be 1-32 characters'],
    ['a 33-character name', { accounts: [{ name: 'a'.repeat(33) }] }, 'accounts.0.name: must be 1-32'],
    ['a name with a slash', { accounts: [{ name: 'a/b' }] }, 'accounts.0.name: must be 1-32'],
  ])('rejects %s', (_label, input, message) => {
    expect(errorOf(input)).toContain(message);
  });

  it.each([
    'rate(5 minute)',
    'rate(1 minutes)',
    'rate(0 minutes)',
    'rate(15 minutes)',
    'rate(1 hour)',
    'cron(* * * * ? *)',
    'every minute',
  ])('rejects the schedule %s', (schedule) => {
    expect(errorOf({ accounts: [{ name: 'home', schedule }] })).toBe(
      'Invalid deploy config stopwatt.config.json: accounts.0.schedule: must be rate(1 minute) or rate(N minutes) with N from 2 to 14',
    );
  });

  it('rejects duplicate account names at the second occurrence', () => {
    expect(errorOf({ accounts: [{ name: 'home' }, { name: 'car' }, { name: 'home' }] })).toBe(
      'Invalid deploy config stopwatt.config.json: accounts.2.name: duplicate account name "home"',
    );
  });

  it('rejects an empty account list', () => {
    expect(errorOf({ accounts: [] })).toBe(
      'Invalid deploy config stopwatt.config.json: accounts: must list at least one account',
    );
  });

  it('names every bad field in one line', () => {
    const message = errorOf({
      accounts: [{ name: 'ok', apiUrl: 'http://plain.example.com', priceArea: 'SE3' }],
      notificationEmail: 'not-an-email',
      webhookUrl: 'ftp://hooks.example.com',
      logGroupRetentionDays: 31,
      logRetentionDays: 0,
      alarms: { noTickMinutes: 1.5 },
      typo: true,
    });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^Invalid deploy config stopwatt\.config\.json: /);
    for (const field of [
      'accounts.0.apiUrl: must be an https:// URL',
      'accounts.0.priceArea:',
      'notificationEmail: must be an email address',
      'webhookUrl: must be an https:// URL',
      'logGroupRetentionDays: must be one of 1, 3, 5, 7, 14, 30',
      'logRetentionDays:',
      'alarms.noTickMinutes:',
      'Unrecognized key: "typo"',
    ]) {
      expect(message).toContain(field);
    }
  });

  it('rejects a no-tick window shorter than the longest schedule interval', () => {
    expect(
      errorOf({ accounts: [{ name: 'a', schedule: 'rate(10 minutes)' }], alarms: { noTickMinutes: 5 } }),
    ).toBe(
      'Invalid deploy config stopwatt.config.json: alarms.noTickMinutes: must be at least the longest schedule interval (10 minutes)',
    );
  });
});

describe('rateMinutes', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(2 minutes)', 2],
    ['rate(14 minutes)', 14],
    ['rate(2 minute)', null],
    ['rate(1 minutes)', null],
    ['rate( 1 minute)', null],
  ])('reads %s as %s', (expression, minutes) => {
    expect(rateMinutes(expression)).toBe(minutes);
  });
});

describe('loadDeployConfig', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stopwatt-config-'));

  it('applies the defaults when there is no config file in the root', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'stopwatt-root-'));
    expect(loadDeployConfig({ root: empty })).toEqual(parseDeployConfig({}));
  });

  it('warns at synth without a config file that only the account "default" is deployed', () => {
    // Prepare
    const empty = mkdtempSync(path.join(tmpdir(), 'stopwatt-root-'));
    const warnings: string[] = [];

    // Act
    loadDeployConfig({ root: empty, warn: (message) => warnings.push(message) });

    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path.join(empty, 'stopwatt.config.json'));
    expect(warnings[0]).toContain('one account named "default"');
    expect(warnings[0]).toContain('--account default');
  });

  it('keeps stopwatt.config.json (e-mail, webhook URL) out of git', () => {
    // Act
    const ignored = readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8').split('\n');

    // Assess
    expect(ignored).toContain('stopwatt.config.json');
  });

  it('reads stopwatt.config.json from the root when no path is given', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'stopwatt-root-'));
    writeFileSync(path.join(root, 'stopwatt.config.json'), JSON.stringify({ accounts: [{ name: 'here' }] }));
    const warnings: string[] = [];
    expect(loadDeployConfig({ root, warn: (m) => warnings.push(m) }).accounts.map((a) => a.name)).toEqual([
      'here',
    ]);
    expect(warnings).toEqual([]);
  });

  it('reads a file given relative to cwd', () => {
    writeFileSync(path.join(dir, 'mine.json'), JSON.stringify({ accounts: [{ name: 'mine' }] }));
    const config = loadDeployConfig({ path: 'mine.json', cwd: dir });
    expect(config.accounts.map((account) => account.name)).toEqual(['mine']);
  });

  it('names the file when it is not valid JSON', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "accounts": [ }');
    expect(() => loadDeployConfig({ path: file })).toThrow(
      new RegExp(`^Invalid deploy config ${file}: not valid JSON \\(`),
    );
  });

  it('names the file and the field when a value is invalid', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ accounts: [{ name: 'Bad' }] }));
    expect(() => loadDeployConfig({ path: file })).toThrow(
      `Invalid deploy config ${file}: accounts.0.name: must be 1-32 characters of lowercase a-z, 0-9 and -`,
    );
  });

  it('fails when an explicitly given file does not exist', () => {
    const file = path.join(dir, 'missing.json');
    expect(() => loadDeployConfig({ path: file })).toThrow(`Invalid deploy config ${file}: file not found`);
  });

  it('accepts the documented example with its two accounts', () => {
    const config = loadDeployConfig({ path: path.join(REPO_ROOT, 'stopwatt.config.example.json') });
    expect(
      config.accounts.map((account) => [account.name, account.priceArea, account.horizonSeconds]),
    ).toEqual([
      ['home', 'DK1', 60],
      ['summer-house', 'DK2', 300],
    ]);
  });
});
