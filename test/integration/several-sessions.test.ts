import { afterEach, describe, expect, it } from 'vitest';
import { AmpecoClient } from '../../lambdas/adapters/ampeco/client.ts';
import { FileRulesStore } from '../../lambdas/adapters/local/file-rules-store.ts';
import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import type { CheckDeps } from '../../lambdas/run-check.ts';
import { outcomeFields, runCheck } from '../../lambdas/run-check.ts';
import { AmpecoSimulator, ManualClock } from '../../lambdas/simulator/server.ts';
import { tempDir } from '../support/temp-dir.ts';

const T0 = Date.parse('2026-01-15T12:00:00Z');
const TOKEN = 'several-sessions-token';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The simulator over real HTTP (each personal session on its own charge point), a file log and rules. */
async function world() {
  const clock = new ManualClock(T0);
  const sim = await AmpecoSimulator.start({ clock, token: TOKEN });
  cleanups.push(() => sim.close());
  const dir = await tempDir('stopwatt-several-', cleanups);
  const log = new FileSessionLog({ dir, account: 'home' });
  const rulesStore = new FileRulesStore({ dir, account: 'home' });
  const api = new AmpecoClient({
    apiUrl: sim.url,
    deviceId: 'fedcba9876543210',
    auth: { token: async () => TOKEN },
    retries: 0,
  });
  const deps = (rules: Rules): CheckDeps => ({
    api,
    log,
    rules,
    rulesStore,
    instanceId: 'several-test',
    clock: {
      now: () => new Date(clock.now()),
      sleep: async (ms) => clock.advance(Math.max(0, ms)),
    },
  });
  return { clock, sim, log, rulesStore, deps };
}

/** Reverses the order of the charge points (and so of the sessions) in one listing. */
function reversedListing(json: unknown): unknown {
  const body = json as { data: unknown[] };
  return { ...body, data: [...body.data].reverse() };
}

describe('runCheck with several open sessions on the account', () => {
  it.each(['stopping', 'starting'] as const)(
    'ends an active session over its target although a %s one is listed first',
    async (status) => {
      // Prepare
      const { sim, deps } = await world();
      const first = sim.addSession({ status, energyWh: 30_000, stopDelayMs: 600_000 });
      const second = sim.addSession({ energyWh: 12_000 });

      // Act
      const outcome = await runCheck(deps(parseRules({ energyKwh: 10 })));

      // Assess
      expect(outcomeFields(outcome)).toStrictEqual({
        action: 'end',
        reason: 'energy',
        sessionId: second.id,
        energyKwh: 12,
        powerKw: 11,
        pricePerKwh: expect.any(Number),
      });
      expect(sim.endRequests(second.id)).toHaveLength(1);
      expect(sim.endRequests(first.id)).toHaveLength(0);
      expect(outcome.sessions?.map((s) => [s.sessionId, s.action])).toStrictEqual([
        [first.id, status === 'stopping' ? 'already-stopping' : 'continue'],
        [second.id, 'end'],
      ]);
    },
  );

  it('ends an active session over its target although a finished one is listed first', async () => {
    // Prepare: the listing shows the first session as finished (as a charge point may, briefly).
    const { sim, deps } = await world();
    const first = sim.addSession({ energyWh: 30_000 });
    const second = sim.addSession({ energyWh: 12_000 });
    sim.inject({
      kind: 'transform',
      path: '/api/v1/app/personal/charge-points',
      transform: (json) => {
        const body = json as { data: { evses: { session: { status: string } | null }[] }[] };
        const session = body.data[0]?.evses[0]?.session;
        if (session) session.status = 'finished';
        return body;
      },
    });

    // Act
    const outcome = await runCheck(deps(parseRules({ energyKwh: 10 })));

    // Assess
    expect(outcome).toMatchObject({ action: 'end', sessionId: second.id });
    expect(sim.endRequests(first.id)).toHaveLength(0);
    expect(sim.endRequests(second.id)).toHaveLength(1);
  });

  it('ends both of two active sessions over their target in one tick', async () => {
    // Prepare
    const { sim, log, deps } = await world();
    const first = sim.addSession({ energyWh: 11_000 });
    const second = sim.addSession({ energyWh: 15_000 });

    // Act
    const outcome = await runCheck(deps(parseRules({ energyKwh: 10 })));

    // Assess
    expect(outcome).toMatchObject({ action: 'end', sessionId: first.id });
    expect(outcome.sessions?.map((s) => [s.sessionId, s.action, s.stop?.outcome])).toStrictEqual([
      [first.id, 'end', 'accepted'],
      [second.id, 'end', 'accepted'],
    ]);
    expect(sim.endRequests(first.id)).toHaveLength(1);
    expect(sim.endRequests(second.id)).toHaveLength(1);
    const listed = (await log.listSessions()).map((s) => [s.sessionId, s.status, s.stopReason]);
    expect(listed.sort()).toStrictEqual([
      [first.id, 'stopping', 'energy'],
      [second.id, 'stopping', 'energy'],
    ]);
  });

  it('keeps a one-session override bound to its session when the order of sessions changes', async () => {
    // Prepare: the override (end at 5 kWh) belongs to the second session; the base rule is 40 kWh.
    const { sim, clock, rulesStore, deps } = await world();
    const other = sim.addSession({ energyWh: 1_000, powerKw: 11 });
    const mine = sim.addSession({ energyWh: 3_000, powerKw: 11 });
    await rulesStore.put(parseRules({ energyKwh: 40, once: { sessionId: mine.id, energyKwh: 5 } }));
    const rules = async () => (await rulesStore.get()) ?? parseRules({});

    // Act
    const before = await runCheck(deps(await rules()));
    sim.inject({ kind: 'transform', path: '/api/v1/app/personal/charge-points', transform: reversedListing });
    clock.advance(15 * 60_000);
    const reordered = await runCheck(deps(await rules()));
    const stored = await rulesStore.get();

    // Assess
    expect(before.sessions?.map((s) => s.action)).toStrictEqual(['continue', 'continue']);
    expect(reordered.sessions?.map((s) => [s.sessionId, s.action])).toStrictEqual([
      [mine.id, 'end'],
      [other.id, 'continue'],
    ]);
    expect(sim.endRequests(other.id)).toHaveLength(0);
    expect(stored?.once).toMatchObject({ sessionId: mine.id, energyKwh: 5 });
  });

  it('clears a one-session override only once its own session has ended', async () => {
    // Prepare
    const { sim, rulesStore, deps } = await world();
    const other = sim.addSession({ energyWh: 1_000 });
    const mine = sim.addSession({ energyWh: 3_000 });
    await rulesStore.put(parseRules({ energyKwh: 40, once: { sessionId: mine.id, energyKwh: 5 } }));
    await runCheck(deps((await rulesStore.get()) ?? parseRules({})));
    const whileOpen = (await rulesStore.get())?.once;

    // Act
    sim.removeSession(mine.id);
    await runCheck(deps((await rulesStore.get()) ?? parseRules({})));

    // Assess
    expect(whileOpen).toMatchObject({ sessionId: mine.id });
    expect((await rulesStore.get())?.once).toBeUndefined();
    expect(sim.endRequests(other.id)).toHaveLength(0);
  });

  it('logs each session on its own: its observations, decisions and summary', async () => {
    // Prepare
    const { sim, log, deps } = await world();
    const first = sim.addSession({ energyWh: 2_000 });
    const second = sim.addSession({ energyWh: 12_000 });

    // Act
    await runCheck(deps(parseRules({ energyKwh: 10 })));

    // Assess
    const firstLog = await log.timeline(first.id);
    const secondLog = await log.timeline(second.id);
    expect(firstLog.map((e) => e.kind)).toStrictEqual(['observation', 'decision']);
    expect(secondLog.map((e) => e.kind)).toStrictEqual(['observation', 'decision', 'claim', 'result']);
    expect(firstLog[0]).toMatchObject({ snapshot: { sessionId: first.id, energyKwh: 2 } });
    expect(secondLog[0]).toMatchObject({ snapshot: { sessionId: second.id, energyKwh: 12 } });
    const listed = (await log.listSessions()).map((s) => [s.sessionId, s.status]);
    expect(listed.sort()).toStrictEqual([
      [first.id, 'active'],
      [second.id, 'stopping'],
    ]);
  });
});
