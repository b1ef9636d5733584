import { afterEach, describe, expect, it } from 'vitest';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { systemClock } from '../../lambdas/adapters/system-clock.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import { ApiError, StopFailedError } from '../../lambdas/errors.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { type CheckDeps, type CheckOutcome, runCheck } from '../../lambdas/run-check.ts';
import { AmpecoSimulator, ManualClock, realClock, type SimClock } from '../../lambdas/simulator/server.ts';
import { rejectionOf } from '../support/rejection.ts';
import { tempDir } from '../support/temp-dir.ts';

const T0 = Date.parse('2026-01-15T12:00:00Z');
const TOKEN = 'run-check-test-token';
const ACCOUNT = 'test';

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

async function startSim(clock: SimClock): Promise<AmpecoSimulator> {
  const sim = await AmpecoSimulator.start({ clock, token: TOKEN });
  cleanups.push(() => sim.close());
  return sim;
}

function client(sim: AmpecoSimulator): AmpecoClient {
  return new AmpecoClient({
    apiUrl: sim.url,
    deviceId: 'fedcba9876543210',
    auth: { token: async () => TOKEN },
    retries: 1,
  });
}

interface World {
  readonly sim: AmpecoSimulator;
  readonly clock: ManualClock;
  readonly dir: string;
  readonly log: FileSessionLog;
  readonly deps: (rules: Partial<Rules>, extra?: Partial<CheckDeps>) => CheckDeps;
}

async function world(): Promise<World> {
  const clock = new ManualClock(T0);
  const sim = await startSim(clock);
  const dir = await tempDir('stopwatt-run-check-', cleanups);
  const log = new FileSessionLog({ dir, account: ACCOUNT });
  const api = client(sim);
  return {
    sim,
    clock,
    dir,
    log,
    deps: (rules, extra = {}) => ({
      api,
      log,
      rules: parseRules(rules),
      clock: manualClock(clock),
      instanceId: 'test-instance',
      ...extra,
    }),
  };
}

describe('runCheck: ending a session', () => {
  it('ends a session that reached its energy target and logs observation, decision, claim and result', async () => {
    // Prepare
    const { sim, log, deps } = await world();
    const { id } = sim.addSession({ powerKw: 11, energyWh: 10_500 });

    // Act
    const outcome = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'end', reason: 'energy', sessionId: id, energyKwh: 10.5 });
    expect(outcome.stop).toMatchObject({ outcome: 'accepted', attempt: 1, reason: 'energy' });
    expect(sim.endRequests(id)).toHaveLength(1);
    expect(sim.endRequests()).toHaveLength(1);
    const kinds = (await log.timeline(id)).map((entry) => entry.kind);
    expect(kinds).toEqual(['observation', 'decision', 'claim', 'result']);
    expect(await log.latestClaim(id)).toMatchObject({ attempt: 1, reason: 'energy', by: 'test-instance' });
    expect(await log.latestStopResult(id)).toMatchObject({ attempt: 1, outcome: 'accepted' });
    expect(await log.lastObservation(id)).toMatchObject({ sessionId: id, energyKwh: 10.5 });
    expect(await log.listSessions()).toEqual([
      expect.objectContaining({ sessionId: id, stopReason: 'energy', status: 'stopping' }),
    ]);
  });

  it('does not send a second stop on the next tick', async () => {
    // Prepare
    const { sim, clock, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500, stopDelayMs: 60_000 });
    await runCheck(deps({ energyKwh: 10 }));
    clock.advance(30_000);

    // Act
    const second = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(second.action).toBe('already-stopping');
    expect(sim.endRequests(id)).toHaveLength(1);
  });

  it('answers none without a session and sends nothing', async () => {
    // Prepare
    const { sim, deps } = await world();

    // Act
    const outcome = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'none', reason: null, sessionId: null });
    expect(sim.endRequests()).toHaveLength(0);
  });

  it('continues below every limit and records the observation', async () => {
    // Prepare
    const { sim, log, deps } = await world();
    const { id } = sim.addSession({ energyWh: 4000 });

    // Act
    const outcome = await runCheck(deps({ energyKwh: 10, maxPricePerKwh: 2, maxCost: 100 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'continue', reason: null, pricePerKwh: 1.625 });
    expect(sim.endRequests()).toHaveLength(0);
    expect((await log.timeline(id)).map((e) => e.kind)).toEqual(['observation', 'decision']);
  });

  it('ends on price with the session tariff price (0.5 * 1.25 + 1)', async () => {
    // Prepare
    const { sim, deps } = await world();
    const { id } = sim.addSession({ energyWh: 4000 });

    // Act
    const outcome = await runCheck(deps({ maxPricePerKwh: 1.6 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'end', reason: 'price', pricePerKwh: 1.625 });
    expect(sim.endRequests(id)).toHaveLength(1);
  });

  it('decides and logs on a dry run but never sends the stop', async () => {
    // Prepare
    const { sim, log, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500 });

    // Act
    const outcome = await runCheck(deps({ energyKwh: 10, dryRun: true }));

    // Assess
    expect(outcome).toMatchObject({ action: 'dry-run', reason: 'energy', sessionId: id });
    expect(sim.endRequests()).toHaveLength(0);
    expect(await log.latestClaim(id)).toBeNull();
    expect((await log.timeline(id)).map((e) => e.kind)).toEqual(['observation', 'decision']);
  });
});

describe('runCheck: exactly one stop', () => {
  it('sends one /end when ticks on separate FileSessionLog instances over one store race', async () => {
    for (let round = 0; round < 5; round++) {
      // Prepare
      const clock = new ManualClock(T0);
      const sim = await startSim(clock);
      const dir = await tempDir('stopwatt-run-check-', cleanups);
      const { id } = sim.addSession({ energyWh: 20_000 });
      const tick = (n: number) =>
        runCheck({
          api: client(sim),
          log: new FileSessionLog({ dir, account: ACCOUNT }),
          rules: parseRules({ energyKwh: 10 }),
          clock: manualClock(clock),
          instanceId: `racer-${n}`,
        });

      // Act
      const outcomes = await Promise.all([tick(1), tick(2), tick(3)]);

      // Assess
      expect(sim.endRequests(id)).toHaveLength(1);
      const actions = outcomes.map((o: CheckOutcome) => o.action).sort();
      expect(actions).toEqual(['already-stopping', 'already-stopping', 'end']);
      const claims = await new FileSessionLog({ dir, account: ACCOUNT }).latestClaim(id);
      expect(claims?.attempt).toBe(1);
    }
  });

  it('records a failed stop when /end answers 500, throws, and re-sends as attempt 2 next tick', async () => {
    // Prepare
    const { sim, clock, log, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500 });
    sim.inject({ kind: 'status', status: 500, method: 'POST' });

    // Act
    const error = await rejectionOf(runCheck(deps({ energyKwh: 10 })));
    const afterFirst = await log.latestStopResult(id);
    clock.advance(60_000);
    const second = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(afterFirst).toMatchObject({ attempt: 1, outcome: 'failed' });
    expect(afterFirst?.error).toContain('HTTP 500');
    expect(second).toMatchObject({ action: 'end', stop: { attempt: 2, outcome: 'accepted' } });
    expect(sim.endRequests(id).map((r) => r.status)).toEqual([500, 200]);
    expect(await log.latestClaim(id)).toMatchObject({ attempt: 2 });
  });

  it('counts 404 on /end as already ended when the session is gone', async () => {
    // Prepare
    const { sim, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500 });
    sim.inject({ kind: 'status', status: 404, method: 'POST' });
    sim.inject({ kind: 'status', status: 404, method: 'GET', path: `/api/v1/app/session/${id}` });

    // Act
    const outcome = await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'end', stop: { outcome: 'already-ended', attempt: 1 } });
    expect(sim.endRequests(id)).toHaveLength(1);
  });

  it('fails the tick when /end answers 404 but the session is still active', async () => {
    // Prepare
    const { sim, log, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500 });
    sim.inject({ kind: 'status', status: 404, method: 'POST' });

    // Act
    const error = await rejectionOf(runCheck(deps({ energyKwh: 10 })));

    // Assess
    expect(error).toBeInstanceOf(StopFailedError);
    expect(await log.latestStopResult(id)).toMatchObject({ outcome: 'failed', attempt: 1 });
  });

  it('gives up after the last attempt instead of stopping forever', async () => {
    // Prepare
    const { sim, clock, deps } = await world();
    const { id } = sim.addSession({ energyWh: 10_500 });
    sim.inject({ kind: 'status', status: 500, method: 'POST', times: Number.POSITIVE_INFINITY });
    const tick = async () => {
      const error = await rejectionOf(runCheck(deps({ energyKwh: 10 }, { maxAttempts: 2 })));
      clock.advance(10_000);
      return error;
    };

    // Act
    const errors = [await tick(), await tick(), await tick()];

    // Assess
    expect(errors.map((e) => e.constructor)).toEqual([ApiError, ApiError, StopFailedError]);
    expect(sim.endRequests(id)).toHaveLength(2);
  });
});

describe('runCheck: waiting in-tick for a predicted stop', () => {
  it('waits on the clock and ends at the target when the target is within the horizon', async () => {
    // Prepare: 22 kW, target 16 s away.
    const { sim, deps } = await world();
    const { id } = sim.addSession({ powerKw: 22, energyWh: 5000, meter: 'continuous' });
    const targetWh = 5000 + (22_000 * 16) / 3600;

    // Act
    const outcome = await runCheck(deps({ energyKwh: targetWh / 1000 }, { horizonMs: 60_000 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'end', reason: 'energy' });
    expect(outcome.waitedMs).toBe(16_000);
    const meter = sim.endRequests(id)[0]?.sessionEnergyWh ?? Number.NaN;
    expect(Math.abs(meter - targetWh)).toBeLessThanOrEqual(1);
  });

  it('does not wait for a target beyond the horizon', async () => {
    // Prepare
    const { sim, deps } = await world();
    sim.addSession({ powerKw: 22, energyWh: 5000 });

    // Act
    const outcome = await runCheck(deps({ energyKwh: 6 }, { horizonMs: 60_000 }));

    // Assess
    expect(outcome).toMatchObject({ action: 'continue', waitedMs: 0 });
    expect(sim.endRequests()).toHaveLength(0);
  });

  it('ends within 20 Wh of the target on the real clock', async () => {
    // Prepare: 22 kW is 6.1 Wh/s; the target is 16 s away.
    const sim = await startSim(realClock());
    const dir = await tempDir('stopwatt-run-check-', cleanups);
    const { id } = sim.addSession({ powerKw: 22, energyWh: 5000, meter: 'continuous' });
    const now = sim.session(id)?.energyWh ?? Number.NaN;
    const targetWh = now + (22_000 * 16) / 3600;

    // Act
    const outcome = await runCheck({
      api: client(sim),
      log: new FileSessionLog({ dir, account: ACCOUNT }),
      rules: parseRules({ energyKwh: targetWh / 1000 }),
      clock: systemClock,
      instanceId: 'real-clock',
      horizonMs: 60_000,
    });

    // Assess
    expect(outcome).toMatchObject({ action: 'end', reason: 'energy' });
    const ends = sim.endRequests(id);
    expect(ends).toHaveLength(1);
    const meter = ends[0]?.sessionEnergyWh ?? Number.NaN;
    expect(Math.abs(meter - targetWh)).toBeLessThanOrEqual(20);
  });
});

describe('runCheck: closing sessions in the log', () => {
  it('marks a session that disappeared (unplugged) as finished at the time it was last seen', async () => {
    // Prepare
    const { sim, clock, log, deps } = await world();
    const { id } = sim.addSession({ powerKw: 11, energyWh: 4_000 });
    await runCheck(deps({ energyKwh: 30 }));
    const seenAt = new Date(clock.now());
    clock.advance(60_000);
    sim.removeSession(id);

    // Act
    const outcome = await runCheck(deps({ energyKwh: 30 }));

    // Assess
    expect(outcome.action).toBe('none');
    expect(await log.listSessions()).toEqual([
      expect.objectContaining({ sessionId: id, status: 'finished', endedAt: seenAt, stopReason: null }),
    ]);
  });

  it('finishes a session stopwatt ended, keeping the stop time as its end', async () => {
    // Prepare
    const { sim, clock, log, deps } = await world();
    const { id } = sim.addSession({ powerKw: 11, energyWh: 10_500, stopDelayMs: 5_000 });
    await runCheck(deps({ energyKwh: 10 }));
    const stoppedAt = (await log.listSessions())[0]?.endedAt;
    clock.advance(60_000);

    // Act
    await runCheck(deps({ energyKwh: 10 }));

    // Assess
    expect(stoppedAt).toBeInstanceOf(Date);
    expect(await log.listSessions()).toEqual([
      expect.objectContaining({
        sessionId: id,
        status: 'finished',
        endedAt: stoppedAt,
        stopReason: 'energy',
      }),
    ]);
  });
});
