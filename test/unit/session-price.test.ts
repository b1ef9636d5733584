import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePeriodState } from '../../lambdas/core/period-state.ts';
import { DEFAULT_SESSION_PRICE_FORMULA, sessionUnitPrice } from '../../lambdas/core/session-price.ts';

function state(text: string) {
  const parsed = parsePeriodState(text);
  if (!parsed) throw new Error(`unparseable state ${text}`);
  return parsed;
}

describe('sessionUnitPrice', () => {
  it('uses spot * 1.25 + markup by default', () => {
    // Prepare
    const period = state('charging@price|0.0544&markup|1');

    // Act
    const price = sessionUnitPrice(period, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(DEFAULT_SESSION_PRICE_FORMULA).toEqual({ spotFactor: 1.25, markupFactor: 1, fixedPerKwh: 0 });
    expect(price).toBeCloseTo(1.068, 10);
  });

  it.each([
    { text: 'charging@price|0.41486&markup|1', want: 1.518575 },
    { text: 'idle@price|0.90338&markup|1.18', want: 2.309225 },
    { text: 'charging@price|-0.2&markup|0.88', want: 0.63 },
    { text: 'charging@price|0.5', want: 0.625 },
  ])('prices "$text" at $want by default', ({ text, want }) => {
    // Act
    const price = sessionUnitPrice(state(text), DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(price).toBeCloseTo(want, 10);
  });

  it('applies every factor of a configured formula', () => {
    // Prepare
    const formula = { spotFactor: 1, markupFactor: 0.8, fixedPerKwh: 0.1 };

    // Act
    const price = sessionUnitPrice(state('charging@price|0.5&markup|1'), formula);

    // Assess
    expect(price).toBeCloseTo(0.5 + 0.8 + 0.1, 10);
  });

  it('is linear in the spot price with slope spotFactor', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (spot, markup, delta) => {
          const low = sessionUnitPrice(
            { phase: 'charging', price: spot, markup, extra: {} },
            DEFAULT_SESSION_PRICE_FORMULA,
          );
          const high = sessionUnitPrice(
            { phase: 'charging', price: spot + delta, markup, extra: {} },
            DEFAULT_SESSION_PRICE_FORMULA,
          );
          expect(high - low).toBeCloseTo(delta * 1.25, 9);
        },
      ),
    );
  });
});
