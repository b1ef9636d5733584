import { describe, expect, it } from 'vitest';
import { STOP_REASONS } from '../../lambdas/core/rules.ts';
import { allFieldShape, STOP_RULES, standingFieldShape } from '../../lambdas/core/stop-rules/table.ts';

describe('the stop rule table', () => {
  it('lists every stop reason once, in precedence order', () => {
    // Act
    const reasons = STOP_RULES.map((rule) => rule.reason);

    // Assess
    expect(reasons).toEqual([...STOP_REASONS]);
    expect(reasons).toEqual(['manual', 'energy', 'cost', 'deadline', 'price']);
  });

  it('gives every flag a setting its rule owns, and no flag name twice', () => {
    // Act
    const flags = STOP_RULES.flatMap((rule) => rule.flags.map((flag) => ({ rule, flag })));

    // Assess
    for (const { rule, flag } of flags) expect(Object.keys(rule.fields)).toContain(flag.field);
    const names = flags.map(({ flag }) => flag.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps the once-only settings out of the standing rules schema', () => {
    // Act
    const standing = Object.keys(standingFieldShape).sort();
    const all = Object.keys(allFieldShape).sort();

    // Assess
    expect(standing).toEqual(['energyKwh', 'maxCost', 'maxPricePerKwh', 'minEnergyKwh', 'stopBy']);
    expect(all).toEqual([...standing, 'stopNow'].sort());
  });
});
