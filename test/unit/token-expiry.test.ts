import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPIRY_THRESHOLDS_DAYS, jwtExpiry, tokenExpiry } from '../../lambdas/core/token-expiry.ts';
import { expiryNotice } from '../../lambdas/token-notices.ts';

/** The fake clock of every test: whole seconds, as JWT `exp` claims are. */
const NOW = new Date('2026-03-10T08:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const DAY_S = 86_400;

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped token built at test time (never a literal: the repo's hook flags those). */
function fakeJwt(payload: unknown): string {
  return `${b64url({ typ: 'JWT', alg: 'RS256' })}.${b64url(payload)}.${b64url('signature')}`;
}

/** A token expiring `secondsLeft` after NOW. */
function expiringIn(secondsLeft: number): string {
  return fakeJwt({ sub: '1', iat: NOW_S - 365 * DAY_S, exp: NOW_S + secondsLeft });
}

describe('jwtExpiry', () => {
  it('reads the exp claim of a JWT as a date', () => {
    // Prepare
    const token = fakeJwt({ sub: '42', exp: 1_790_000_000 });

    // Act
    const expiry = jwtExpiry(token);

    // Assess
    expect(expiry?.toISOString()).toBe(new Date(1_790_000_000_000).toISOString());
  });

  it.each([
    ['an opaque token', 'test-token-0123456789abcdef'],
    ['an empty string', ''],
    ['two parts', `${b64url({ alg: 'none' })}.${b64url({ exp: NOW_S })}`],
    ['four parts', `${fakeJwt({ exp: NOW_S })}.extra`],
    ['an empty payload', `${b64url({ alg: 'none' })}..${b64url('sig')}`],
    ['a payload that is not JSON', `${b64url({ alg: 'none' })}.${b64url('not json')}.${b64url('sig')}`],
    ['a payload that is JSON null', fakeJwt(null)],
    ['a payload that is a number', fakeJwt(17)],
    ['no exp claim', fakeJwt({ sub: '1' })],
    ['a string exp', fakeJwt({ exp: String(NOW_S + DAY_S) })],
    ['a null exp', fakeJwt({ exp: null })],
  ])('returns null for %s', (_name, token) => {
    // Act
    const expiry = jwtExpiry(token);

    // Assess
    expect(expiry).toBeNull();
  });
});

describe('tokenExpiry on a fake clock', () => {
  it.each([
    ['more than 14 days left', 30 * DAY_S, null, 30],
    ['one second more than 14 days left', 14 * DAY_S + 1, null, 14],
    ['exactly 14 days left', 14 * DAY_S, 14, 14],
    ['one second less than 14 days left', 14 * DAY_S - 1, 14, 13],
    ['2 days left', 2 * DAY_S, 14, 2],
    ['one second more than 1 day left', DAY_S + 1, 14, 1],
    ['exactly 1 day left', DAY_S, 1, 1],
    ['one second less than 1 day left', DAY_S - 1, 1, 0],
    ['one second left', 1, 1, 0],
    ['expiry exactly now', 0, 0, 0],
    ['expired one second ago', -1, 0, -1],
    ['expired 3 days ago', -3 * DAY_S, 0, -3],
  ] as const)('with %s the threshold is %s', (_name, secondsLeft, threshold, daysLeft) => {
    // Prepare
    const token = expiringIn(secondsLeft);

    // Act
    const expiry = tokenExpiry(token, NOW);

    // Assess
    expect(expiry).toEqual({
      expiresAt: new Date((NOW_S + secondsLeft) * 1000),
      threshold,
      daysLeft,
    });
  });

  it('returns null for a token that is not a JWT', () => {
    // Act
    const expiry = tokenExpiry('opaque-token-without-claims', NOW);

    // Assess
    expect(expiry).toBeNull();
  });

  it('crosses the thresholds in order as the clock moves towards expiry (property)', () => {
    // Prepare
    const thresholdOrder = [null, ...EXPIRY_THRESHOLDS_DAYS, 0];
    const token = expiringIn(20 * DAY_S);

    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 25 * DAY_S }),
        fc.integer({ min: 0, max: 25 * DAY_S }),
        (a, b) => {
          // Act
          const earlier = tokenExpiry(token, new Date((NOW_S + Math.min(a, b)) * 1000));
          const later = tokenExpiry(token, new Date((NOW_S + Math.max(a, b)) * 1000));

          // Assess
          if (!earlier || !later) return false;
          return (
            thresholdOrder.indexOf(earlier.threshold) <= thresholdOrder.indexOf(later.threshold) &&
            earlier.daysLeft >= later.daysLeft
          );
        },
      ),
    );
  });
});

describe('expiryNotice', () => {
  it('says nothing while more than 14 days are left, or for a token that is not a JWT', () => {
    // Act
    const far = expiryNotice(expiringIn(14 * DAY_S + 1), NOW, { account: 'home', loginMode: false });
    const opaque = expiryNotice('opaque-token', NOW, { account: 'home', loginMode: false });

    // Assess
    expect(far).toBeNull();
    expect(opaque).toBeNull();
  });

  it('tells a token-mode user to store a new token with the command for the account', () => {
    // Prepare
    const token = expiringIn(10 * DAY_S + 3600);

    // Act
    const notice = expiryNotice(token, NOW, { account: 'cabin', loginMode: false });

    // Assess
    expect(notice).toMatchObject({
      kind: 'token-expiring',
      subject: 'stopwatt: access token expires soon',
      data: { account: 'cabin', threshold: 14, expiresAt: '2026-03-20T09:00:00.000Z' },
    });
    expect(notice?.message).toContain('account "cabin" expires on 2026-03-20 09:00 UTC (in 10 days)');
    expect(notice?.message).toContain('`stopwatt token set --account cabin`');
    expect(notice?.message).not.toContain(token);
  });

  it("shows the expiry on the rules' wall clock, labelled with the zone", () => {
    // Prepare: 2026-03-20 09:00 UTC is 10:00 in Copenhagen (winter time, UTC+1).
    const token = expiringIn(10 * DAY_S + 3600);

    // Act
    const notice = expiryNotice(token, NOW, {
      account: 'cabin',
      loginMode: false,
      timeZone: 'Europe/Copenhagen',
    });

    // Assess
    expect(notice?.message).toContain('expires on 2026-03-20 10:00 Europe/Copenhagen (in 10 days)');
    expect(notice?.data).toMatchObject({ expiresAt: '2026-03-20T09:00:00.000Z' });
  });

  it('offers a token-mode user login mode as well, and names STOPWATT_TOKEN for a local run', () => {
    // Prepare
    const token = expiringIn(10 * DAY_S);

    // Act
    const deployed = expiryNotice(token, NOW, { account: 'home', loginMode: false, tokenSource: 'ssm' });
    const local = expiryNotice(token, NOW, { account: 'local', loginMode: false, tokenSource: 'env' });

    // Assess
    expect(deployed?.message).toContain('`stopwatt login --account home`');
    expect(local?.message).toContain('STOPWATT_TOKEN: set it to a new token');
    expect(local?.message).not.toContain('token set');
  });

  it('tells a login-mode user that nothing is to be done and names no token command', () => {
    // Prepare
    const token = expiringIn(10 * DAY_S);

    // Act
    const notice = expiryNotice(token, NOW, { account: 'home', loginMode: true });

    // Assess
    expect(notice?.kind).toBe('token-expiring');
    expect(notice?.message).toContain('logs in again by itself');
    expect(notice?.message).not.toContain('token set');
  });

  it('words the last day as less than a day, not as 0 days', () => {
    // Act
    const lastDay = expiryNotice(expiringIn(DAY_S - 60), NOW, { account: 'home', loginMode: false });
    const oneDay = expiryNotice(expiringIn(DAY_S), NOW, { account: 'home', loginMode: false });

    // Assess
    expect(lastDay?.data.threshold).toBe(1);
    expect(lastDay?.message).toContain('(in less than a day)');
    expect(lastDay?.message).not.toContain('0 days');
    expect(oneDay?.message).toContain('(in 1 day)');
  });

  it('reports an expired token as expired, with the command to fix it', () => {
    // Act
    const notice = expiryNotice(expiringIn(-2 * DAY_S), NOW, { account: 'home', loginMode: false });

    // Assess
    expect(notice).toMatchObject({
      subject: 'stopwatt: access token expired',
      data: { threshold: 0 },
    });
    expect(notice?.message).toContain('expired on 2026-03-08 08:00 UTC');
    expect(notice?.message).toContain('`stopwatt token set --account home`');
  });

  it('keys the notice once per threshold and token: the same key all through one threshold', () => {
    // Prepare
    const token = expiringIn(14 * DAY_S);
    const at = (secondsLater: number) => new Date((NOW_S + secondsLater) * 1000);
    const context = { account: 'home', loginMode: false };

    // Act
    const keys = [0, 3 * DAY_S, 13 * DAY_S - 1, 13 * DAY_S, 14 * DAY_S - 1, 14 * DAY_S, 20 * DAY_S].map(
      (later) => expiryNotice(token, at(later), context)?.key,
    );
    const otherToken = expiryNotice(expiringIn(14 * DAY_S + 60), at(60), context)?.key;
    const otherAccount = expiryNotice(token, NOW, { account: 'cabin', loginMode: false })?.key;

    // Assess: 14, 11 and 1 d + 1 s left share the 14-day key; exactly 1 d and 1 s the 1-day key.
    const [d14, d11, d1Plus, d1, s1, expiredNow, expiredLater] = keys;
    expect(d11).toBe(d14);
    expect(d1Plus).toBe(d14);
    expect(s1).toBe(d1);
    expect(expiredLater).toBe(expiredNow);
    expect(new Set([d14, d1, expiredNow]).size).toBe(3);
    expect(keys.every((key) => typeof key === 'string')).toBe(true);
    expect(otherToken).not.toBe(d14);
    expect(otherAccount).not.toBe(d14);
  });
});
