import type { OnceResult } from '../core/once.ts';
import type { RulesStore } from '../ports.ts';

/**
 * Binds or clears the stored override; re-reads first, past any cache, so rules stored since this
 * tick read them (a newer `rules set --once`, a changed base rule) are not overwritten.
 */
export async function persistOnce(
  store: RulesStore,
  change: NonNullable<OnceResult['change']>,
): Promise<void> {
  const stored = await store.get({ fresh: true });
  if (!stored?.once) return;
  if (change.kind === 'bind' && stored.once.sessionId === undefined) {
    await store.put({ ...stored, once: { ...stored.once, sessionId: change.sessionId } });
  } else if (change.kind === 'clear' && stored.once.sessionId !== undefined) {
    const { once: _cleared, ...rest } = stored;
    await store.put(rest);
  }
}
