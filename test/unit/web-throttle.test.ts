import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  REFUSE_AFTER_FAILURES,
  SLOW_AFTER_FAILURES,
  throttleVerdict,
} from '../../lambdas/web/auth/throttle.ts';

describe('sign-in throttling', () => {
  it('answers at once for the first failures, then ever slower, then refuses', () => {
    // Prepare / Act
    const verdicts = [
      0,
      SLOW_AFTER_FAILURES - 1,
      SLOW_AFTER_FAILURES,
      SLOW_AFTER_FAILURES + 1,
      REFUSE_AFTER_FAILURES,
    ].map(throttleVerdict);
    // Assess
    expect(verdicts).toEqual([
      { kind: 'allow', delayMs: 0 },
      { kind: 'allow', delayMs: 0 },
      { kind: 'allow', delayMs: 500 },
      { kind: 'allow', delayMs: 1000 },
      { kind: 'refuse', retryAfterS: 900 },
    ]);
  });

  it('never waits less after more failures', () => {
    fc.assert(
      fc.property(fc.nat(REFUSE_AFTER_FAILURES - 2), (n) => {
        const a = throttleVerdict(n);
        const b = throttleVerdict(n + 1);
        return a.kind === 'allow' && b.kind === 'allow' && b.delayMs >= a.delayMs;
      }),
    );
  });
});
