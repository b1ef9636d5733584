import { describe, expect, it } from 'vitest';
import type { Decision } from '../../lambdas/core/decide.ts';
import { nextSampleAt } from '../../lambdas/core/estimate.ts';
import type { StopReason } from '../../lambdas/core/rules.ts';
import {
  BOUNDARY_MARGIN_MS,
  planWait,
  SAMPLE_MARGIN_MS,
  type WaitInput,
} from '../../lambdas/use-case/precise-wait.ts';
import { SNAPSHOT_NOW, snapshot } from '../support/snapshots.ts';

const NOW = SNAPSHOT_NOW;
const later = (ms: number) => new Date(NOW.getTime() + ms);

function wakeIn(ms: number, reason: StopReason = 'energy'): Decision {
  return { action: 'continue', sessionId: 's1', notes: [], wake: { at: later(ms), reason } };
}

function input(overrides: Partial<WaitInput> = {}): WaitInput {
  return { decision: wakeIn(30_000), now: NOW, horizonMs: 60_000, readLatencyMs: 200, ...overrides };
}

describe('planWait', () => {
  it('wakes one read and one stop round trip before the predicted crossing', () => {
    // Act
    const plan = planWait(input());

    // Assess
    expect(plan).toStrictEqual({ sleepMs: 30_000 - 400, purpose: 'stop' });
  });

  it('aims earlier by the learned stop latency', () => {
    // Act
    const plan = planWait(input({ stopLatencyMs: 3_000 }));

    // Assess
    expect(plan).toStrictEqual({ sleepMs: 30_000 - 400 - 3_000, purpose: 'stop' });
  });

  it('never aims more than 30 s early, whatever the stop latency says', () => {
    // Act
    const huge = planWait(input({ decision: wakeIn(50_000), stopLatencyMs: 120_000 }));
    const negative = planWait(input({ stopLatencyMs: -10_000 }));
    const notANumber = planWait(input({ stopLatencyMs: Number.NaN }));

    // Assess
    expect(huge).toStrictEqual({ sleepMs: 50_000 - 200 - 30_000, purpose: 'stop' });
    expect(negative).toStrictEqual({ sleepMs: 30_000 - 400, purpose: 'stop' });
    expect(notANumber).toStrictEqual({ sleepMs: 30_000 - 400, purpose: 'stop' });
  });

  it('re-reads just after the next meter sample when it is due before the stop', () => {
    // Act
    const plan = planWait(input({ nextSampleAt: later(10_000) }));

    // Assess
    expect(plan).toStrictEqual({ sleepMs: 10_000 + SAMPLE_MARGIN_MS, purpose: 'sample' });
  });

  it('waits for the stop when the next meter sample comes after it', () => {
    // Act
    const plan = planWait(input({ nextSampleAt: later(29_000) }));

    // Assess
    expect(plan).toStrictEqual({ sleepMs: 30_000 - 400, purpose: 'stop' });
  });

  it('does not wait for a crossing beyond the horizon, even when a sample is due within it', () => {
    // Act
    const plan = planWait(input({ decision: wakeIn(70_000), nextSampleAt: later(10_000) }));

    // Assess
    expect(plan).toBeNull();
  });

  it('sleeps just past a deadline or price boundary, ignoring meter samples', () => {
    // Act
    const plan = planWait(input({ decision: wakeIn(20_000, 'deadline'), nextSampleAt: later(5_000) }));

    // Assess
    expect(plan).toStrictEqual({ sleepMs: 20_000 + BOUNDARY_MARGIN_MS, purpose: 'boundary' });
  });

  it('does not wait without a wake, without a horizon or on a decision other than continue', () => {
    // Prepare
    const end: Decision = { action: 'end', sessionId: 's1', reason: 'energy', detail: 'reached' };
    const noWake: Decision = { action: 'continue', sessionId: 's1', notes: [], wake: null };

    // Act
    const plans = [
      planWait(input({ decision: end })),
      planWait(input({ decision: noWake })),
      planWait(input({ horizonMs: 0 })),
    ];

    // Assess
    expect(plans).toStrictEqual([null, null, null]);
  });
});

describe('nextSampleAt', () => {
  const sampled = new Date(NOW.getTime() - 25_000);

  it('is the last sample plus whole meter intervals, the first after now', () => {
    // Prepare
    const s = snapshot({ sampledAt: sampled, meterIntervalMs: 60_000 });

    // Act
    const soon = nextSampleAt(s, NOW);
    const afterAMissedSample = nextSampleAt(s, later(50_000));

    // Assess
    expect(soon).toStrictEqual(later(35_000));
    expect(afterAMissedSample).toStrictEqual(later(95_000));
  });

  it('is unknown without a learned cadence, without a meter sample or on doubtful data', () => {
    // Prepare
    const cases = [
      snapshot({ sampledAt: sampled }),
      snapshot({ meterIntervalMs: 60_000 }),
      snapshot({ sampledAt: sampled, meterIntervalMs: 60_000, chargingState: 'suspendedEV' }),
      snapshot({ sampledAt: sampled, meterIntervalMs: 60_000, doubts: ['power 5000 kW'] }),
      snapshot({ sampledAt: sampled, meterIntervalMs: 60_000, powerKw: 0.2 }),
    ];

    // Act
    const next = cases.map((s) => nextSampleAt(s, NOW));

    // Assess
    expect(next).toStrictEqual([null, null, null, null, null]);
  });
});
