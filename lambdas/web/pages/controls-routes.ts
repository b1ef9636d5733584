import type { Hono } from 'hono';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { html } from './html.ts';
import { page } from './layout.ts';

export function mountControls(app: Hono<WebEnv>, _deps: WebDeps): void {
  app.get('/controls', (c) =>
    c.html(page({ title: 'Controls', current: 'controls', body: html`<h1>Controls</h1>` })),
  );
}
