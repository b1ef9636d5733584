/**
 * The stop latency learned from a finished session over HTTP against the simulator: the charger
 * keeps delivering 3 s after `/end`, the finished session's final meter value shows it, and the
 * next session's stop aims that much earlier. A manual clock makes the minutes instant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { timelineText } from '../../bin/commands/log.ts';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { type CheckOutcome, runCheck } from '../../lambdas/run-check.ts';
import { AmpecoSimulator, ManualClock } from '../../lambdas/simulator/server.ts';
import { tempDir } from '../support/temp-dir.ts';

const T0 = Date.parse('2026-01-15T12:00:00Z');
const TOKEN = 'stop-latency-test-token';
const POWER_KW = 22;
const STOP_DELAY_MS = 3_000;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function manualClock(clock: ManualClock): Clock {
  return {
    now: () => new Date(clock.now()),
    sleep: async (ms) => {
      clock.advance(Math.max(0, ms));
    },
  };
}

async function world() {
  const clock = new ManualClock(T0);
  const sim = await AmpecoSimulator.start({ clock, token: TOKEN });
  cleanups.push(() => sim.close());
  const log = new FileSessionLog({ dir: await tempDir('stopwatt-stop-latency-', cleanups), account: 'test' });
  const api = new AmpecoClient({
    apiUrl: sim.url,
    deviceId: 'fedcba9876543210',
    auth: { token: async () => TOKEN },
    retries: 1,
  });

  /**
   * A session on the default 60 s meter, read 29 s after its sample at minute 10, whose target is
   * crossed 20 s after that read; one tick (60 s horizon, following the stop) ends it. Returns the
   * outcome and the true overshoot: the charger's final meter value minus the target (Wh).
   */
  async function chargeOnce(
    followStops = true,
  ): Promise<{ id: string; outcome: CheckOutcome; overshootWh: number }> {
    const startedAt = clock.now();
    const { id } = sim.addSession({
      powerKw: POWER_KW,
      startedAt: new Date(startedAt),
      stopDelayMs: STOP_DELAY_MS,
    });
    clock.advance(10 * 60_000 + 30_000);
    const targetWh = (POWER_KW * 1000 * (clock.now() + 20_000 - startedAt)) / 3_600_000;
    const outcome = await runCheck({
      api,
      log,
      rules: parseRules({ energyKwh: targetWh / 1000 }),
      clock: manualClock(clock),
      instanceId: 'test-instance',
      horizonMs: 60_000,
      followStops,
    });
    clock.advance(60_000);
    const final = sim.session(id);
    expect(final?.status).toBe('finished');
    return { id, outcome, overshootWh: (final?.energyWh ?? Number.NaN) - targetWh };
  }

  const tick = () =>
    runCheck({ api, log, rules: parseRules({}), clock: manualClock(clock), instanceId: 'test-instance' });
  return { log, chargeOnce, tick };
}

describe('stop latency learning', () => {
  it('learns the stop latency from a finished session and aims the next stop earlier by it', async () => {
    // Prepare: the first session teaches the latency.
    const { log, chargeOnce } = await world();
    const first = await chargeOnce();
    const learned = await log.recentStopLatencies(5);

    // Act
    const second = await chargeOnce();

    // Assess: the first stop landed on the target and the charger overshot by its 3 s at 22 kW
    // (18.3 Wh, plus up to the 1 Wh the meter truncates); the second aimed 3 s early and its final
    // meter value is within about a Wh of the target.
    expect([first.outcome.action, second.outcome.action]).toStrictEqual(['end', 'end']);
    expect(learned.map((s) => s.sessionId)).toStrictEqual([first.id]);
    const latencyWh = (POWER_KW * STOP_DELAY_MS) / 3_600;
    expect(first.overshootWh).toBeGreaterThanOrEqual(latencyWh - 0.5);
    expect(first.overshootWh).toBeLessThanOrEqual(latencyWh + 1.5);
    expect(Math.abs(second.overshootWh)).toBeLessThanOrEqual(1.5);
    const result = await log.latestStopResult(second.id);
    // Learned from the first stop: its 3 s and the up to 0.16 s it landed late.
    expect(result?.stopLatencyMs).toBeGreaterThanOrEqual(STOP_DELAY_MS);
    expect(result?.stopLatencyMs).toBeLessThanOrEqual(STOP_DELAY_MS + 200);
    expect(second.outcome.detail).toMatch(/, 3(\.\d)? s early for the stop latency\)/);
  });

  it('learns from a one-shot check on the first tick that finds no session open', async () => {
    // Prepare: `check` does not follow its stop.
    const { log, chargeOnce, tick } = await world();
    const { id } = await chargeOnce(false);
    const before = await log.recentStopLatencies(5);

    // Act
    const outcome = await tick();

    // Assess
    expect(before).toStrictEqual([]);
    expect(outcome.action).toBe('none');
    expect((await log.recentStopLatencies(5)).map((s) => s.sessionId)).toStrictEqual([id]);
    expect(await log.lastObservation(id)).toMatchObject({ status: 'finished' });
    expect(await log.listSessions()).toEqual([
      expect.objectContaining({ sessionId: id, status: 'finished' }),
    ]);
  });

  it('shows the estimate at /end, the final energy and the latency used in the session log', async () => {
    // Prepare
    const { log, chargeOnce } = await world();
    const first = await chargeOnce();
    const second = await chargeOnce();

    // Act
    const firstText = timelineText(first.id, await log.timeline(first.id), 'UTC');
    const secondText = timelineText(second.id, await log.timeline(second.id), 'UTC');

    // Assess
    expect(firstText).toMatch(
      /stop +accepted \(attempt 1\); estimate at \/end \d+\.\d{3} kWh at 22\.00 kW\n/,
    );
    expect(firstText).toMatch(
      /seen +finished\/.*final energy: 0\.01\d kWh after the estimate at \/end \(3\.\d s at 22\.00 kW\)/,
    );
    expect(secondText).toMatch(/; aimed 3\.\d s early \(learned stop latency\)\n/);
    expect(secondText).toMatch(/final energy: 0\.0(0|1)\d kWh after the estimate at \/end/);
  });
});
