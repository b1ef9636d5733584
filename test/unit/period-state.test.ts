import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePeriodState } from '../../lambdas/core/period-state.ts';

describe('parsePeriodState', () => {
  it.each([
    {
      state: 'charging@price|0.0544&markup|1',
      want: { phase: 'charging', price: 0.0544, markup: 1, extra: {} },
    },
    {
      state: 'idle@price|0.90338&markup|1.18',
      want: { phase: 'idle', price: 0.90338, markup: 1.18, extra: {} },
    },
    {
      state: 'charging@price|-0.12&markup|0.88',
      want: { phase: 'charging', price: -0.12, markup: 0.88, extra: {} },
    },
    {
      state: 'charging@price|1e-3&markup|1',
      want: { phase: 'charging', price: 0.001, markup: 1, extra: {} },
    },
    {
      state: 'charging@markup|1&price|0.5',
      want: { phase: 'charging', price: 0.5, markup: 1, extra: {} },
    },
    {
      state: 'charging@price|0.5&markup|1&fee|0.25&tier|2',
      want: { phase: 'charging', price: 0.5, markup: 1, extra: { fee: 0.25, tier: 2 } },
    },
    {
      state: ' charging @ price | 0.5 & markup | 1 ',
      want: { phase: 'charging', price: 0.5, markup: 1, extra: {} },
    },
    { state: 'charging@price|0.5', want: { phase: 'charging', price: 0.5, markup: 0, extra: {} } },
    {
      state: 'charging@price|0.5&note|abc&markup|1',
      want: { phase: 'charging', price: 0.5, markup: 1, extra: {} },
    },
    {
      state: 'charging@price|0.5&garbage&markup|1',
      want: { phase: 'charging', price: 0.5, markup: 1, extra: {} },
    },
  ])('parses "$state"', ({ state, want }) => {
    // Act
    const parsed = parsePeriodState(state);

    // Assess
    expect(parsed).toEqual(want);
  });

  it.each([
    '',
    'charging',
    '@price|0.5&markup|1',
    'charging@',
    'charging@markup|1',
    'charging@price|&markup|1',
    'charging@price|abc&markup|1',
    'charging@price|0.5&markup|n/a',
    'charging@price|0x10&markup|1',
    'charging@price|1.2.3&markup|1',
    'charging@price|Infinity&markup|1',
  ])('gives null for "%s" (price unknown)', (state) => {
    // Act
    const parsed = parsePeriodState(state);

    // Assess
    expect(parsed).toBeNull();
  });

  it('reads back any finite price and markup written in the AMPECO grammar', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('charging', 'idle'),
        // `+ 0` turns -0 into 0: the text form of -0 is "0".
        fc.double({ min: -10, max: 10, noNaN: true }).map((x) => x + 0),
        fc.double({ min: 0, max: 10, noNaN: true }).map((x) => x + 0),
        (phase, price, markup) => {
          const parsed = parsePeriodState(`${phase}@price|${price}&markup|${markup}`);
          expect(parsed).toEqual({ phase, price, markup, extra: {} });
        },
      ),
    );
  });

  it('never throws and never returns a non-finite price', () => {
    fc.assert(
      fc.property(fc.string(), (state) => {
        const parsed = parsePeriodState(state);
        if (parsed !== null) {
          expect(Number.isFinite(parsed.price)).toBe(true);
          expect(Number.isFinite(parsed.markup)).toBe(true);
        }
      }),
    );
  });
});
