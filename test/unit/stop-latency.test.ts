import { describe, expect, it } from 'vitest';
import {
  learnedStopLatencyMs,
  type StopLatencySample,
  sampleLatencyMs,
  stopLatencySample,
} from '../../lambdas/core/stop-latency.ts';
import { SNAPSHOT_NOW, snapshot } from '../support/snapshots.ts';

/** A sample whose charger kept delivering `seconds` at 22 kW after `/end`. */
function sample(seconds: number, sessionId = `s-${seconds}`, minutesAgo = 0): StopLatencySample {
  return {
    sessionId,
    at: new Date(SNAPSHOT_NOW.getTime() - minutesAgo * 60_000),
    estimatedKwh: 20,
    finalKwh: 20 + (22 * seconds) / 3600,
    powerKw: 22,
  };
}

describe('learnedStopLatencyMs', () => {
  it('is the median of the latest five samples', () => {
    // Prepare: newest first; the sixth (60 s) is too old to count.
    const samples = [2, 3, 4, 3.5, 10, 60].map((s, i) => sample(s, `s${i}`, i));

    // Act
    const learned = learnedStopLatencyMs(samples);

    // Assess
    expect(learned).toBeCloseTo(3_500, 6);
  });

  it('averages the two middle samples of an even count', () => {
    // Act
    const learned = learnedStopLatencyMs([sample(2), sample(4)]);

    // Assess
    expect(learned).toBeCloseTo(3_000, 6);
  });

  it('is 0 when nothing was learned, and never negative (never later than without it)', () => {
    // Act
    const none = learnedStopLatencyMs([]);
    const overestimated = learnedStopLatencyMs([sample(-5), sample(-3), sample(-4)]);

    // Assess
    expect({ none, overestimated }).toStrictEqual({ none: 0, overestimated: 0 });
  });

  it('never aims more than 30 s early and ignores samples that measured something else', () => {
    // Act
    const slow = learnedStopLatencyMs([sample(45), sample(50), sample(55)]);
    const outliers = learnedStopLatencyMs([sample(3), sample(600), sample(-600), sample(3.2)]);

    // Assess
    expect(slow).toBe(30_000);
    expect(outliers).toBeCloseTo(3_100, 6);
  });
});

describe('stopLatencySample', () => {
  const atEnd = { estimatedKwh: 20, powerKw: 22, energyKwh: 19.8 };
  const finished = snapshot({
    status: 'finished',
    chargingState: 'eVConnected',
    energyKwh: 20.018,
    powerKw: 0,
    sampledAt: SNAPSHOT_NOW,
  });

  it('measures the final meter value against the estimate at /end', () => {
    // Act
    const learned = stopLatencySample(atEnd, finished);

    // Assess
    expect(learned).toStrictEqual({
      sessionId: 's1',
      at: SNAPSHOT_NOW,
      estimatedKwh: 20,
      finalKwh: 20.018,
      powerKw: 22,
    });
    expect(learned && sampleLatencyMs(learned)).toBeCloseTo(2_945, 0);
  });

  it.each([
    { name: 'a stop judged on the raw reading (no estimate)', end: { powerKw: 22, energyKwh: 19.8 }, s: {} },
    { name: 'too little power at /end', end: { ...atEnd, powerKw: 0.3 }, s: {} },
    { name: 'a session not finished yet', end: atEnd, s: { status: 'stopping' } },
    { name: 'impossible final readings', end: atEnd, s: { doubts: ['power 5000 kW'] } },
    { name: 'a doubtful final sample time', end: atEnd, s: { sampleDoubt: 'the meter sample is stale' } },
    { name: 'a final energy below the reading at /end', end: atEnd, s: { energyKwh: 19.7 } },
    { name: 'a charger that kept delivering for minutes', end: atEnd, s: { energyKwh: 21 } },
  ])('learns nothing from $name', ({ end, s }) => {
    // Act
    const learned = stopLatencySample(end, { ...finished, ...s });

    // Assess
    expect(learned).toBeNull();
  });
});
