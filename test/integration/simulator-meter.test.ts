import { afterEach, describe, expect, it } from 'vitest';
import { AmpecoSimulator, ManualClock, type SimulatorOptions } from '../../lambdas/simulator/server.ts';

const TOKEN = 'test-token';
const T0 = Date.parse('2025-03-30T14:33:51Z');
const CHARGE_POINTS = '/api/v1/app/personal/charge-points';

type Json = Record<string, unknown>;

const running: AmpecoSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function start(options: SimulatorOptions = {}): Promise<{ sim: AmpecoSimulator; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const sim = await AmpecoSimulator.start({ clock, token: TOKEN, ...options });
  running.push(sim);
  return { sim, clock };
}

async function request(sim: AmpecoSimulator, path: string, method = 'GET'): Promise<Json> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' },
  });
  return (await response.json()) as Json;
}

async function session(sim: AmpecoSimulator, id: string): Promise<Json> {
  return (await request(sim, `/api/v1/app/session/${id}`)).session as Json;
}

function sampleTime(json: Json): number {
  return Date.parse(String(json.startedAt)) + Number(json.duration) * 1000;
}

describe('default meter (60 s, 1 s after each minute from start)', () => {
  it('holds the first sample (start + 1 s) until the next one, one second after the first minute', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 11, startedAt: new Date(T0) });

    // Act
    clock.advance(60_500);
    const before = await session(sim, id);
    clock.advance(600);
    const after = await session(sim, id);

    // Assess
    expect(before.duration).toBe(1);
    expect(before.energy).toBe(Math.floor(11_000 / 3600));
    expect(after.duration).toBe(61);
    expect(after.energy).toBe(Math.floor((11_000 * 61) / 3600));
  });

  it('changes energy, power and duration only at samples, and startedAt + duration is the sample time', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 22, startedAt: new Date(T0) });
    clock.advance(5 * 60_000 + 1_000);
    const atSample = await session(sim, id);

    // Act
    clock.advance(59_000);
    const later = await session(sim, id);

    // Assess
    expect(later.energy).toBe(atSample.energy);
    expect(later.duration).toBe(atSample.duration);
    expect(later.amount).toBe(atSample.amount);
    expect(sampleTime(later)).toBe(T0 + 5 * 60_000 + 1_000);
    expect(sim.session(id)?.lastSampleAtMs).toBe(T0 + 5 * 60_000 + 1_000);
    expect(sim.session(id)?.energyWh).toBeGreaterThan(Number(later.energy) + 300);
  });

  it('keeps delivering during the stop latency and the final meter value includes it', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 22, startedAt: new Date(T0), stopDelayMs: 3_000 });
    clock.advance(10 * 60_000 + 20_000);
    await request(sim, `/api/v1/app/session/${id}/end`, 'POST');
    const atEnd = sim.endRequests(id)[0]?.sessionEnergyWh ?? 0;

    // Act
    clock.advance(3_000);
    const finished = await session(sim, id);

    // Assess
    const expectedWh = (22_000 * (10 * 60 + 23)) / 3600;
    expect(finished.status).toBe('finished');
    expect(finished.energy).toBe(Math.floor(expectedWh));
    expect(sim.session(id)?.energyWh).toBeCloseTo(expectedWh, 6);
    expect(sim.session(id)?.energyWh).toBeGreaterThan(atEnd + 18);
    expect(Date.parse(String(finished.stoppedAt))).toBe(sampleTime(finished));
  });
});

describe('meter options', () => {
  it('reads the state of the last whole second with the continuous meter, as duration shows it', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 11, startedAt: new Date(T0), meter: 'continuous' });

    // Act
    clock.advance(30_600);
    const json = await session(sim, id);

    // Assess
    expect(json.duration).toBe(30);
    expect(json.energy).toBe(Math.floor((11_000 * 30) / 3600));
  });

  it('samples every N seconds at the given phase', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 11, startedAt: new Date(T0), meter: { everyS: 10, phaseS: 3 } });

    // Act
    clock.advance(27_000);
    const json = await session(sim, id);

    // Assess
    expect(json.duration).toBe(23);
  });

  it('sends one meter value per kWh delivered with per-kWh steps', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 22, startedAt: new Date(T0), meter: { perKwh: 1 } });

    // Act
    clock.advance(400_000);
    const json = await session(sim, id);

    // Assess: 22 kW delivers 1 kWh every 163.6 s; two steps by 400 s. The second step's value is
    // stamped at the next whole second (327.27 s -> 328 s), with the energy of that instant.
    expect(json.duration).toBe(Math.ceil((2 * 3600) / 22));
    expect(json.energy).toBe(Math.floor((22_000 * Math.ceil((2 * 3600) / 22)) / 3600));
  });

  it('reads the power with noise but within the given percentage', async () => {
    // Prepare
    const { sim, clock } = await start();
    const { id } = sim.addSession({ powerKw: 20, startedAt: new Date(T0), powerNoisePct: 5 });
    const powers: number[] = [];

    // Act
    for (let minute = 1; minute <= 20; minute += 1) {
      clock.set(T0 + minute * 60_000 + 1_000);
      powers.push(Number((await session(sim, id)).power));
    }

    // Assess
    expect(Math.min(...powers)).toBeGreaterThanOrEqual(19_000);
    expect(Math.max(...powers)).toBeLessThanOrEqual(21_000);
    expect(new Set(powers).size).toBeGreaterThan(5);
  });
});

describe('several sessions on one account', () => {
  it('lists each session on its own charge point, one stopping while another charges', async () => {
    // Prepare
    const { sim } = await start();
    const charging = sim.addSession({ powerKw: 11 });
    const stopping = sim.addSession({ powerKw: 7, status: 'stopping', stopDelayMs: 60_000 });
    const starting = sim.addSession({ status: 'starting' });

    // Act
    const body = await request(sim, CHARGE_POINTS);
    const sessions = (body.data as Json[]).map((cp) => ((cp.evses as Json[])[0] as Json).session as Json);

    // Assess
    expect(sessions.map((s) => [s.id, s.status])).toEqual([
      [charging.id, 'active'],
      [stopping.id, 'stopping'],
      [starting.id, 'starting'],
    ]);
    expect(new Set((body.data as Json[]).map((cp) => cp.id)).size).toBe(3);
  });
});
