import type { Rules } from './rules.ts';

export interface OnceResult {
  /** The rules to apply to this session. */
  readonly effective: Rules;
  /**
   * What to persist: `bind` the override to this session (first sight), `clear` it (its session
   * has ended), or nothing.
   */
  readonly change: { readonly kind: 'bind'; readonly sessionId: string } | { readonly kind: 'clear' } | null;
}

/**
 * Applies a one-session override. Unbound, it binds to the first session seen; bound, it applies
 * only to that session, and is cleared as soon as a tick sees no session or another session.
 */
export function applyOnce(rules: Rules, activeSessionId: string | null): OnceResult {
  const once = rules.once;
  const { once: _dropped, ...base } = rules;
  if (!once) return { effective: rules, change: null };
  const { sessionId, ...overrides } = once;
  const merged: Rules = { ...base, ...definedOnly(overrides) };
  if (sessionId === undefined) {
    if (activeSessionId === null) return { effective: base, change: null };
    return { effective: merged, change: { kind: 'bind', sessionId: activeSessionId } };
  }
  if (sessionId === activeSessionId) return { effective: merged, change: null };
  return { effective: base, change: { kind: 'clear' } };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
