import type { Hono } from 'hono';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { html } from './html.ts';
import { page } from './layout.ts';

export function mountNow(app: Hono<WebEnv>, _deps: WebDeps): void {
  app.get('/', (c) => c.html(page({ title: 'Now', current: 'now', body: html`<h1>Now</h1>` })));
}
