import { describe, expect, it } from 'vitest';
import { parseRules } from '../../lambdas/config.ts';
import { applyOnceToSessions } from '../../lambdas/core/once-sessions.ts';

const base = { energyKwh: 40 };
const active = (id: string) => ({ id, status: 'active' });

describe('applyOnceToSessions', () => {
  it('applies a bound override to its own session only, whatever the order of sessions', () => {
    // Prepare
    const rules = parseRules({ ...base, once: { sessionId: 'b', energyKwh: 10 } });

    // Act
    const first = applyOnceToSessions(rules, [active('a'), active('b')]);
    const reordered = applyOnceToSessions(rules, [active('b'), active('a')]);

    // Assess
    for (const once of [first, reordered]) {
      expect(once.change).toBeNull();
      expect(once.rulesFor('b').energyKwh).toBe(10);
      expect(once.rulesFor('a').energyKwh).toBe(40);
      expect(once.rulesFor('a').once).toBeUndefined();
    }
  });

  it('clears a bound override once its session is no longer open', () => {
    // Prepare
    const rules = parseRules({ ...base, once: { sessionId: 'b', energyKwh: 10 } });

    // Act
    const otherOnly = applyOnceToSessions(rules, [active('a')]);
    const none = applyOnceToSessions(rules, []);

    // Assess
    expect(otherOnly.change).toStrictEqual({ kind: 'clear' });
    expect(otherOnly.rulesFor('a').energyKwh).toBe(40);
    expect(none.change).toStrictEqual({ kind: 'clear' });
  });

  it('binds an unbound override to the first active session, not to one listed before it', () => {
    // Prepare
    const rules = parseRules({ ...base, once: { energyKwh: 10 } });

    // Act
    const once = applyOnceToSessions(rules, [{ id: 'old', status: 'stopping' }, active('new')]);

    // Assess
    expect(once.change).toStrictEqual({ kind: 'bind', sessionId: 'new' });
    expect(once.rulesFor('new').energyKwh).toBe(10);
    expect(once.rulesFor('old').energyKwh).toBe(40);
  });

  it('leaves an unbound override alone while the account has no session', () => {
    // Prepare
    const rules = parseRules({ ...base, once: { energyKwh: 10 } });

    // Act
    const once = applyOnceToSessions(rules, []);

    // Assess
    expect(once.change).toBeNull();
  });
});
