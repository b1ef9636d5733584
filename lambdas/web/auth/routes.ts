import { setTimeout as delay } from 'node:timers/promises';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { WebEnv } from '../env.ts';
import { html } from '../pages/html.ts';
import { page } from '../pages/layout.ts';
import type { WebDeps } from '../ports.ts';
import { SIGN_IN_PATH } from './sign-in-link.ts';
import { recordFailure, throttleFor } from './throttle.ts';
import {
  csrfToken,
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE_S,
  deviceCookie,
  nonceHash,
  verifyCsrf,
  verifyDeviceCookie,
} from './tokens.ts';

export function clientOf(deps: WebDeps, c: Context): string {
  return deps.clientAddress?.(c) ?? 'unknown';
}

/** Consumes a sign-in link, sets the device cookie and redirects so the nonce leaves the address bar. */
export function mountSignIn(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get(SIGN_IN_PATH, async (c) => {
    const now = deps.now();
    const client = clientOf(deps, c);
    const verdict = await throttleFor(deps.attempts, client, now);
    if (verdict.kind === 'refuse') {
      c.header('Retry-After', String(verdict.retryAfterS));
      return c.html(signedOutPage('Too many failed sign-in attempts. Try again later.'), 429);
    }
    if (verdict.delayMs > 0) await delay(verdict.delayMs);
    const nonce = c.req.query('t') ?? '';
    if (!(await deps.links.consume(nonceHash(nonce), now))) {
      await recordFailure(deps.attempts, client, now);
      return c.html(
        signedOutPage('This sign-in link is not valid: it was used already or has expired.'),
        403,
      );
    }
    const { value } = deviceCookie(await deps.keys.current(), now);
    setCookie(c, DEVICE_COOKIE, value, {
      httpOnly: true,
      secure: deps.secureCookies,
      sameSite: 'Strict',
      path: '/',
      maxAge: DEVICE_COOKIE_MAX_AGE_S,
    });
    return c.redirect('/', 303);
  });
}

/** Every other page needs a signed-in device; every POST also needs its CSRF token. */
export function requireDevice(deps: WebDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const key = await deps.keys.current();
    const device = verifyDeviceCookie(key, getCookie(c, DEVICE_COOKIE), deps.now());
    if (!device) {
      deleteCookie(c, DEVICE_COOKIE, { path: '/', secure: deps.secureCookies });
      return c.html(signedOutPage('You are signed out. Open a new sign-in link to continue.'), 401);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = await c.req.parseBody();
      const token = typeof form.csrf === 'string' ? form.csrf : undefined;
      if (!verifyCsrf(key, device, token)) {
        return c.html(signedOutPage('This change was refused: the form is missing its security token.'), 403);
      }
    }
    c.set('device', device);
    c.set('key', key);
    c.set('csrf', csrfToken(key, device));
    await next();
    return undefined;
  };
}

function signedOutPage(message: string): string {
  return page({
    title: 'Sign in',
    nav: false,
    body: html`<section class="card"><h1>stopwatt</h1><p>${message}</p>
<p class="muted">Get a link with <code>stopwatt web-link</code>, or from the <code>stopwatt serve</code> output.</p></section>`,
  });
}
