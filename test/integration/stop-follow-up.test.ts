import { afterEach, describe, expect, it } from 'vitest';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import type { Clock, NotificationEvent } from '../../lambdas/ports.ts';
import { type CheckDeps, runCheck } from '../../lambdas/run-check.ts';
import { AmpecoSimulator, ManualClock } from '../../lambdas/simulator/server.ts';
import { SAMPLE_MARGIN_MS } from '../../lambdas/use-case/precise-wait.ts';
import { tempDir } from '../support/temp-dir.ts';

const T0 = Date.parse('2026-01-15T12:00:00Z');
const TOKEN = 'follow-up-test-token';
const SESSION_PATH = /^\/api\/v1\/app\/session\/\d+$/;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Clock over the simulator's manual clock: sleeping advances simulated time. */
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
  const dir = await tempDir('stopwatt-follow-up-', cleanups);
  const log = new FileSessionLog({ dir, account: 'test' });
  const notices: NotificationEvent[] = [];
  const api = new AmpecoClient({
    apiUrl: sim.url,
    deviceId: 'fedcba9876543210',
    auth: { token: async () => TOKEN },
    retries: 1,
  });
  const deps = (rules: Partial<Rules>, extra: Partial<CheckDeps> = {}): CheckDeps => ({
    api,
    log,
    rules: parseRules(rules),
    clock: manualClock(clock),
    instanceId: 'test-instance',
    horizonMs: 60_000,
    followStops: true,
    notifier: { send: async (event) => void notices.push(event) },
    ...extra,
  });
  /** Sim times (ms after `from`) of the reads of one session by id. */
  const sessionReads = (from: number) =>
    sim.requests.filter((r) => SESSION_PATH.test(r.path)).map((r) => r.atMs - from);
  return { sim, clock, log, notices, deps, sessionReads };
}

describe('following a stop until the session is finished', () => {
  it('re-reads the session 3 and 6 s after the stop and logs the final energy it finished with', async () => {
    // Prepare: over the target at 22 kW; the charger obeys 4 s after /end.
    const { sim, clock, log, notices, deps, sessionReads } = await world();
    const { id } = sim.addSession({ powerKw: 22, energyWh: 10_500, stopDelayMs: 4_000, meter: 'continuous' });

    // Act
    const outcome = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    const endAt = sim.endRequests(id)[0]?.atMs ?? Number.NaN;
    const finalKwh = Math.floor(sim.session(id)?.energyWh ?? Number.NaN) / 1000;
    expect(outcome).toMatchObject({ action: 'end', reason: 'energy' });
    expect(sessionReads(endAt)).toStrictEqual([3_000, 6_000]);
    expect(clock.now() - endAt).toBe(6_000);
    expect(await log.lastObservation(id)).toMatchObject({ status: 'finished', energyKwh: finalKwh });
    expect(await log.listSessions()).toEqual([
      expect.objectContaining({ sessionId: id, status: 'finished', energyKwh: finalKwh }),
    ]);
    expect(notices.map((n) => [n.kind, n.data.energyKwh])).toStrictEqual([['session-ended', finalKwh]]);
  });

  it('stops following at the end of the horizon and follows again on the next tick that finds it stopping', async () => {
    // Prepare: a charger that takes 70 s to obey.
    const { sim, clock, log, deps, sessionReads } = await world();
    const { id } = sim.addSession({
      powerKw: 22,
      energyWh: 10_500,
      stopDelayMs: 70_000,
      meter: 'continuous',
    });
    const first = await runCheck(deps({ energyKwh: 10 }));
    const endAt = sim.endRequests(id)[0]?.atMs ?? Number.NaN;
    const afterFirst = sessionReads(endAt);
    clock.set(endAt + 60_000);

    // Act
    const second = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(first.action).toBe('end');
    expect(afterFirst).toStrictEqual([3_000, 6_000, 12_000, 24_000, 48_000]);
    expect(second.action).toBe('already-stopping');
    expect(sessionReads(endAt).slice(afterFirst.length)).toStrictEqual([63_000, 66_000, 72_000]);
    expect(await log.lastObservation(id)).toMatchObject({ status: 'finished' });
    expect(sim.endRequests(id)).toHaveLength(1);
  });

  it('does not follow a stop when the entry does not ask for it (a one-shot check)', async () => {
    // Prepare
    const { sim, deps, sessionReads } = await world();
    const { id } = sim.addSession({ powerKw: 22, energyWh: 10_500, meter: 'continuous' });

    // Act
    await runCheck(deps({ energyKwh: 10 }, { followStops: false }));

    // Assess
    expect(sessionReads(sim.endRequests(id)[0]?.atMs ?? Number.NaN)).toStrictEqual([]);
  });
});

describe('timing the re-read by the meter cadence', () => {
  it('re-reads just after the next meter sample when it comes before the predicted crossing', async () => {
    // Prepare: a 60 s meter at 22 kW; two ticks that read successive samples teach the cadence.
    // The second tick reads sample 10 at 50 s after it; the target is crossed 20 s after sample 11.
    const { sim, clock, deps, sessionReads } = await world();
    const startedAt = new Date(T0);
    const { id } = sim.addSession({ powerKw: 22, startedAt, stopDelayMs: 1_000 });
    const sampleAt = (k: number) => T0 + 1_000 + k * 60_000;
    const targetKwh = (22 * (sampleAt(11) + 20_000 - T0)) / 3_600_000;
    clock.set(sampleAt(9) + 30_000);
    await runCheck(deps({ energyKwh: targetKwh }, { horizonMs: 0 }));
    clock.set(sampleAt(10) + 50_000);

    // Act
    const outcome = await runCheck(deps({ energyKwh: targetKwh }));

    // Assess: the first read after the wait is 2 s after sample 11, then the stop at the crossing.
    expect(outcome).toMatchObject({ action: 'end', reason: 'energy' });
    const reads = sessionReads(sampleAt(11));
    expect(reads[0]).toBe(SAMPLE_MARGIN_MS);
    const endAt = (sim.endRequests(id)[0]?.atMs ?? Number.NaN) - sampleAt(11);
    expect(endAt).toBeGreaterThan(SAMPLE_MARGIN_MS);
    // At the crossing, up to the 1 Wh the meter truncates (0.16 s at 22 kW) late.
    expect(endAt).toBeGreaterThanOrEqual(20_000);
    expect(endAt).toBeLessThan(20_200);
  });
});
