import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../../lambdas/errors.ts';

const tokenChars = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~+/='.split(''),
);

describe('redact', () => {
  it('leaves ordinary words after "bearer" readable', () => {
    // Prepare
    const message = 'no access token: set STOPWATT_TOKEN to the bearer token of your charging app account';

    // Act
    const out = redact(message);

    // Assess
    expect(out).toBe(message);
  });

  it('removes every bearer token of 16 or more characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: tokenChars, minLength: 16, maxLength: 200 }), (token) => {
        // Act
        const out = redact(`request failed: Authorization: Bearer ${token} (bearer ${token})`);

        // Assess
        expect(out).not.toContain(token);
      }),
    );
  });

  it('removes a known secret wherever it appears, also after "bearer"', () => {
    // Prepare
    const secret = 'short-1';

    // Act
    const out = redact(`bearer ${secret} and ${secret}`, [secret]);

    // Assess
    expect(out).toBe('bearer [redacted] and [redacted]');
  });
});
