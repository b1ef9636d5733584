import type { Hono } from 'hono';
import { createWebApp } from '../../lambdas/web/app.ts';
import { createSignInLink } from '../../lambdas/web/auth/sign-in-link.ts';
import type { WebEnv } from '../../lambdas/web/env.ts';
import { localWebDeps } from '../../lambdas/web/local/local-web-deps.ts';
import type { WebDeps } from '../../lambdas/web/ports.ts';

export interface WebFixture {
  readonly app: Hono<WebEnv>;
  readonly deps: WebDeps;
  readonly clock: { now: Date };
  /** A fresh one-time link, as path + query. */
  link(): Promise<string>;
  /** Signs in with a fresh link; the device cookie as a `Cookie` header value. */
  signIn(): Promise<string>;
}

export function webFixture(dir: string, overrides: Partial<WebDeps> = {}): WebFixture {
  const clock = { now: new Date('2026-03-02T10:00:00Z') };
  const deps: WebDeps = {
    ...localWebDeps({ dir, account: 'local', secureCookies: true, pricesFor: () => null }),
    now: () => clock.now,
    clientAddress: (c) => c.req.header('x-test-client') ?? 'test',
    ...overrides,
  };
  const app = createWebApp(deps);
  const link = async () => {
    const { url } = await createSignInLink(deps.links, 'https://app.example', clock.now);
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  };
  return {
    app,
    deps,
    clock,
    link,
    signIn: async () => {
      const response = await app.request(await link());
      const cookie = response.headers.get('set-cookie') ?? '';
      return cookie.split(';')[0] ?? '';
    },
  };
}

/** The CSRF token in a page's forms. */
export function csrfFrom(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error('page has no CSRF field');
  return match[1];
}
