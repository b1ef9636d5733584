import type { Hono } from 'hono';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { html } from './html.ts';
import { page } from './layout.ts';

export function mountPrices(app: Hono<WebEnv>, _deps: WebDeps): void {
  app.get('/prices', (c) =>
    c.html(page({ title: 'Prices', current: 'prices', body: html`<h1>Prices</h1>` })),
  );
}
