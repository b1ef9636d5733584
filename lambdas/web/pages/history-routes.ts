import type { Hono } from 'hono';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { html } from './html.ts';
import { page } from './layout.ts';

export function mountHistory(app: Hono<WebEnv>, _deps: WebDeps): void {
  app.get('/history', (c) =>
    c.html(page({ title: 'History', current: 'history', body: html`<h1>History</h1>` })),
  );
}
