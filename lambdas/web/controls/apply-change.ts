import { parseRules } from '../../config.ts';
import type { OnceOverride, Rules } from '../../core/rules.ts';
import { errorMessage } from '../../errors.ts';
import type { WebDeps } from '../ports.ts';

/** A change from the Controls page: the new one-session override (null clears it). */
export interface OnceChange {
  readonly action: 'once' | 'leave-alone' | 'stop-now' | 'clear';
  readonly once: OnceOverride | null;
}

/**
 * Writes the change into the rules store the check reads, validated by the same schema, and logs
 * it with its time. Returns a note for the page when asking for a tick early did not work.
 */
export async function applyOnceChange(deps: WebDeps, change: OnceChange): Promise<string | null> {
  const stored = await deps.rules.get({ fresh: true });
  const { once: _previous, ...base } = stored ?? parseRules({});
  const next: Rules = parseRules(change.once ? { ...base, once: change.once } : base, 'change');
  await deps.rules.put(next);
  await deps.controls.record({ at: deps.now(), action: change.action, detail: describeOnce(change.once) });
  try {
    await deps.trigger?.requestTick();
    return null;
  } catch (error) {
    return `Saved; the check picks it up on its next scheduled tick (${errorMessage(error)}).`;
  }
}

export function describeOnce(once: OnceOverride | null): string {
  if (!once) return 'cleared';
  return Object.entries(once)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
