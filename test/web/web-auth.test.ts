import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.ts';
import { webFixture } from './web-support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('sign-in links', () => {
  it('signs a device in once, with a strict HttpOnly Secure cookie, and redirects off the link', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups));
    const link = await web.link();
    // Act
    const first = await web.app.request(link);
    const second = await web.app.request(link);
    // Assess
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^stopwatt_device=v1\./);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=2592000/);
    expect(second.status).toBe(403);
    expect(second.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a link after its ten minutes', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups));
    const link = await web.link();
    web.clock.now = new Date(web.clock.now.getTime() + 10 * 60_000);
    // Act
    const response = await web.app.request(link);
    // Assess
    expect(response.status).toBe(403);
  });

  it('leaves the cookie without Secure when serving plain http on loopback', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups), { secureCookies: false });
    // Act
    const response = await web.app.request(await web.link());
    // Assess
    expect(response.headers.get('set-cookie')).not.toMatch(/Secure/);
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly/);
  });
});

describe('signed-in pages', () => {
  it('shows the Now page to a signed-in device and the sign-in notice to anyone else', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups));
    const cookie = await web.signIn();
    // Act
    const signedIn = await web.app.request('/', { headers: { cookie } });
    const anonymous = await web.app.request('/');
    const forged = await web.app.request('/', { headers: { cookie: `${cookie.slice(0, -2)}xx` } });
    // Assess
    expect(signedIn.status).toBe(200);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('signed out');
    expect(forged.status).toBe(401);
  });

  it('signs every device out when the key is revoked', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups));
    const cookie = await web.signIn();
    // Act
    await web.deps.keys.revoke();
    const response = await web.app.request('/', { headers: { cookie } });
    // Assess
    expect(response.status).toBe(401);
  });
});

describe('guessing sign-in links', () => {
  it('refuses every attempt from a client after ten failures, even a valid link', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups));
    for (let i = 0; i < 10; i++) await web.deps.attempts.recordFailure('guesser', web.clock.now);
    const headers = { 'x-test-client': 'guesser' };
    // Act
    const refused = await web.app.request(await web.link(), { headers });
    const elsewhere = await web.app.request(await web.link(), { headers: { 'x-test-client': 'phone' } });
    // Assess
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('900');
    expect(elsewhere.status).toBe(303);
  });

  it('counts each bad link as a failure of its client', async () => {
    // Prepare
    const web = webFixture(await tempDir('web-auth-', cleanups));
    // Act
    await web.app.request('/sign-in?t=guess', { headers: { 'x-test-client': 'guesser' } });
    await web.app.request('/sign-in', { headers: { 'x-test-client': 'guesser' } });
    // Assess
    expect(await web.deps.attempts.failures('guesser', new Date(0))).toBe(2);
  });
});
