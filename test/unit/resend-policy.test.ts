import { describe, expect, it } from 'vitest';
import { type ResendInput, type ResendVerdict, resendPolicy } from '../../lambdas/core/resend-policy.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const RESEND_AFTER_MS = 120_000;

type Row = [
  title: string,
  claim: ResendInput['latestClaim'],
  result: ResendInput['latestResult'],
  expected: ResendVerdict,
];

const ROWS: Row[] = [
  ['sends attempt 1 when the session was never claimed', null, null, { kind: 'send', attempt: 1 }],
  [
    'waits while attempt 1 is fresh and has no result (in flight)',
    { attempt: 1, claimedAt: ago(30_000) },
    null,
    { kind: 'wait', since: ago(30_000) },
  ],
  [
    'waits while attempt 1 was accepted moments ago',
    { attempt: 1, claimedAt: ago(119_999) },
    { attempt: 1, outcome: 'accepted' },
    { kind: 'wait', since: ago(119_999) },
  ],
  [
    'sends attempt 2 once an accepted stop has been ignored for the re-send delay',
    { attempt: 1, claimedAt: ago(120_000) },
    { attempt: 1, outcome: 'accepted' },
    { kind: 'send', attempt: 2 },
  ],
  [
    'sends attempt 2 at once when attempt 1 failed',
    { attempt: 1, claimedAt: ago(1_000) },
    { attempt: 1, outcome: 'failed' },
    { kind: 'send', attempt: 2 },
  ],
  [
    'does not count an older attempt’s failure against a fresh attempt',
    { attempt: 2, claimedAt: ago(1_000) },
    { attempt: 1, outcome: 'failed' },
    { kind: 'wait', since: ago(1_000) },
  ],
  [
    'sends attempt 2 when a claim without result (the runner died) is older than the delay',
    { attempt: 1, claimedAt: ago(600_000) },
    null,
    { kind: 'send', attempt: 2 },
  ],
  [
    'gives up when the last allowed attempt failed',
    { attempt: 3, claimedAt: ago(1_000) },
    { attempt: 3, outcome: 'failed' },
    { kind: 'give-up', attempts: 3 },
  ],
  [
    'gives up when the last allowed attempt was ignored',
    { attempt: 3, claimedAt: ago(120_000) },
    { attempt: 3, outcome: 'already-ended' },
    { kind: 'give-up', attempts: 3 },
  ],
  [
    'still waits on the last attempt while it may take effect',
    { attempt: 3, claimedAt: ago(60_000) },
    { attempt: 3, outcome: 'accepted' },
    { kind: 'wait', since: ago(60_000) },
  ],
];

describe('resendPolicy', () => {
  it.each(ROWS)('%s', (_title, latestClaim, latestResult, expected) => {
    // Prepare
    const input: ResendInput = {
      latestClaim,
      latestResult,
      now: NOW,
      resendAfterMs: RESEND_AFTER_MS,
      maxAttempts: 3,
    };

    // Act
    const verdict = resendPolicy(input);

    // Assess
    expect(verdict).toStrictEqual(expected);
  });

  it('allows as many attempts as configured', () => {
    // Prepare
    const failed = (attempt: number): ResendInput => ({
      latestClaim: { attempt, claimedAt: ago(1_000) },
      latestResult: { attempt, outcome: 'failed' },
      now: NOW,
      resendAfterMs: RESEND_AFTER_MS,
      maxAttempts: 5,
    });

    // Act
    const verdicts = [1, 2, 3, 4, 5].map((attempt) => resendPolicy(failed(attempt)));

    // Assess
    expect(verdicts).toStrictEqual([
      { kind: 'send', attempt: 2 },
      { kind: 'send', attempt: 3 },
      { kind: 'send', attempt: 4 },
      { kind: 'send', attempt: 5 },
      { kind: 'give-up', attempts: 5 },
    ]);
  });
});
