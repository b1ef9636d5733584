import type { Context, Hono } from 'hono';
import { ConfigError } from '../../errors.ts';
import { applyOnceChange, describeOnce, type OnceChange } from '../controls/apply-change.ts';
import { onceFromForm } from '../controls/once-form.ts';
import type { WebEnv } from '../env.ts';
import type { WebDeps } from '../ports.ts';
import { controlsPage, messagePage, stopConfirmPage } from './controls-view.ts';
import { openSession } from './now-model.ts';

type Ctx = Context<WebEnv>;

export function mountControls(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/controls', async (c) => {
    const [rules, session, changes] = await Promise.all([
      deps.rules.get({ fresh: true }).catch(() => null),
      openSession(deps, deps.now()),
      deps.controls.recent(5),
    ]);
    const once = rules?.once ?? null;
    return c.html(
      controlsPage({
        csrf: c.get('csrf'),
        sessionId: session?.sessionId ?? null,
        current: once ? describeOnce(once) : null,
        timezone: rules?.timezone ?? 'Europe/Copenhagen',
        changes,
        notice: c.req.query('saved') === undefined ? null : 'Saved.',
      }),
    );
  });
  app.post('/controls/once', (c) =>
    change(c, deps, async (sessionId) => ({
      action: 'once',
      once: onceFromForm(await c.req.parseBody(), sessionId),
    })),
  );
  app.post('/controls/leave-alone', (c) =>
    change(c, deps, async (sessionId) => ({
      action: 'leave-alone',
      once: { ...(sessionId ? { sessionId } : {}), leaveAlone: true },
    })),
  );
  app.post('/controls/clear', (c) => change(c, deps, async () => ({ action: 'clear', once: null })));
  app.get('/controls/stop', async (c) => {
    const session = await openSession(deps, deps.now());
    return c.html(stopConfirmPage({ csrf: c.get('csrf'), sessionId: session?.sessionId ?? null }));
  });
  app.post('/controls/stop', (c) =>
    change(c, deps, async (sessionId) => {
      const form = await c.req.parseBody();
      // Bound to the session the driver confirmed: a newer session is never stopped by it.
      if (!sessionId || form.sessionId !== sessionId)
        throw new ConfigError('the session to stop is no longer the open one');
      return { action: 'stop-now', once: { sessionId, stopNow: true } };
    }),
  );
}

/** Applies a change; a bad value answers 400 with the reason, and nothing is stored. */
async function change(
  c: Ctx,
  deps: WebDeps,
  build: (sessionId: string | null) => Promise<OnceChange>,
): Promise<Response> {
  const session = await openSession(deps, deps.now());
  let built: OnceChange;
  let note: string | null;
  try {
    built = await build(session?.sessionId ?? null);
    note = await applyOnceChange(deps, built);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return c.html(messagePage('Not saved', error.message.replace(/^invalid change: /, '')), 400);
  }
  if (note) return c.html(messagePage('Saved', note));
  if (built.action === 'stop-now') return c.redirect('/?stopping', 303);
  return c.redirect('/controls?saved', 303);
}
