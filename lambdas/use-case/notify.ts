import { errorMessage } from '../errors.ts';
import type { NotificationEvent } from '../ports.ts';
import type { CheckDeps } from './check-deps.ts';

export async function notify(deps: CheckDeps, event: NotificationEvent): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.send(event);
  } catch (error) {
    // A notification problem must not hide or undo the tick's real outcome.
    deps.warn?.(`notification failed: ${errorMessage(error)}`);
  }
}

/**
 * Bookkeeping beside the tick's real work (the condition log, closing ended sessions) must never
 * fail a tick: report what failed and carry on.
 */
export async function track<T>(
  deps: CheckDeps,
  what: string,
  run: () => Promise<T> | undefined,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    deps.warn?.(`${what}: ${errorMessage(error)}`);
    return undefined;
  }
}
