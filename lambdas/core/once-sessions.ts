import { applyOnce, type OnceResult } from './once.ts';
import type { Rules } from './rules.ts';

export interface OpenSession {
  readonly id: string;
  readonly status: string;
}

export interface AccountOnce {
  /** The rules without the override. */
  readonly base: Rules;
  /** The rules for one open session: the override for its own session, the base rules for others. */
  readonly rulesFor: (sessionId: string) => Rules;
  readonly change: OnceResult['change'];
}

/**
 * A one-session override with several open sessions. Bound, it applies to its session only and
 * is cleared once that session is no longer open (the order of sessions does not matter).
 * Unbound, it binds to the first active session, else the first one listed.
 */
export function applyOnceToSessions(rules: Rules, sessions: readonly OpenSession[]): AccountOnce {
  const base = applyOnce(rules, null).effective;
  const bound = rules.once?.sessionId;
  const target =
    bound !== undefined
      ? sessions.find((s) => s.id === bound)
      : (sessions.find((s) => s.status === 'active') ?? sessions[0]);
  const own = applyOnce(rules, target?.id ?? null);
  return {
    base,
    rulesFor: (sessionId) => (sessionId === target?.id ? own.effective : base),
    change: own.change,
  };
}
