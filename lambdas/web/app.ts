import { Hono } from 'hono';
import { mountSignIn, requireDevice } from './auth/routes.ts';
import type { WebEnv } from './env.ts';
import { mountControls } from './pages/controls-routes.ts';
import { mountHistory } from './pages/history-routes.ts';
import { mountNow } from './pages/now-routes.ts';
import { mountPrices } from './pages/prices-routes.ts';
import type { WebDeps } from './ports.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * The phone app: server-rendered pages that work without JavaScript (charts excepted). Runs on
 * Node (`@hono/node-server`, `stopwatt serve`) and on Lambda (`hono/aws-lambda`).
 */
export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.use('*', securityHeaders({ secure: deps.secureCookies }));
  app.get('/static/:name', async (c) => {
    const asset = await deps.assets(c.req.param('name'));
    if (!asset) return c.notFound();
    c.header('Content-Type', asset.contentType);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(asset.body);
  });
  app.get('/favicon.ico', (c) => c.body(null, 204));
  mountSignIn(app, deps);
  app.use('*', requireDevice(deps));
  mountNow(app, deps);
  mountPrices(app, deps);
  mountHistory(app, deps);
  mountControls(app, deps);
  app.notFound((c) => c.text('not found', 404));
  return app;
}
