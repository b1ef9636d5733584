/**
 * The fault matrix: `stopwatt check --json --energy-kwh 10` (spawned, local store) against a
 * simulated AMPECO server that misbehaves in one way per case, with a session above the target.
 * For each case: exit code, number of `POST .../end`, what the store holds, and the tick's wall
 * time (bounded: < 35 s even when the server never answers). Cases run concurrently, one simulator
 * and one store each. The observed outcomes are written to `<os tmpdir>/stopwatt-fault-matrix.json`
 * (the numbers in docs/RELIABILITY.md come from there).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { AmpecoSimulator, realClock, type SimSessionOptions } from '../../lambdas/simulator/server.ts';
import { baseEnv, type CliRun, runCli, storedSession, storedSessionIds } from '../support/cli-runner.ts';
import { tempDir } from '../support/temp-dir.ts';

const CHARGE_POINTS = '/api/v1/app/personal/charge-points';
const ACTIVE = '/api/v1/app/session/active';
const END = /^\/api\/v1\/app\/session\/[^/]+\/end$/;
const DETAIL = /^\/api\/v1\/app\/session\/[^/]+$/;
const FOREVER = Number.POSITIVE_INFINITY;
/** The tick must end within this, whatever the server does (generous: spawned CLIs on a loaded machine). */
const TICK_BOUND_MS = 40_000;
const FAULT_MATRIX_FILE = join(tmpdir(), 'stopwatt-fault-matrix.json');

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `transform` for charge-points bodies: applies `edit` to every open session on every EVSE. */
function editSessions(edit: (session: Json) => void): (json: unknown) => unknown {
  return (json) => {
    const data = isRecord(json) && Array.isArray(json.data) ? json.data : [];
    for (const point of data) {
      const evses = isRecord(point) && Array.isArray(point.evses) ? point.evses : [];
      for (const evse of evses) {
        if (isRecord(evse) && isRecord(evse.session)) edit(evse.session);
      }
    }
    return json;
  };
}

/** A `transform` for `{"session": ...}` bodies. */
function editEnvelope(edit: (session: Json) => void): (json: unknown) => unknown {
  return (json) => {
    if (isRecord(json) && isRecord(json.session)) edit(json.session);
    return json;
  };
}

interface Expected {
  /** Exit code of each tick, in order (one tick unless the case needs the next one). */
  readonly exits: readonly number[];
  /** Total `POST .../end` the simulator received. */
  readonly ends: number;
  /** `action` printed by the last tick (null: nothing on stdout, the tick failed). */
  readonly action: string | null;
  /** Extra fields expected in the last tick's JSON. */
  readonly json?: Json;
  /** What the first failing tick says on stderr. */
  readonly stderr?: RegExp;
  /** events.jsonl kinds for the session; null when the store holds nothing for it. */
  readonly events: readonly string[] | null;
  /** Outcomes of the logged stop results, in order. */
  readonly results?: readonly string[];
  readonly minMs?: number;
  readonly maxMs?: number;
}

interface Harness {
  readonly sim: AmpecoSimulator;
  readonly sessionId: string | null;
}

interface FaultCase {
  readonly name: string;
  /** The fault, in a few words, for the report. */
  readonly fault: string;
  /** @default an active personal session at 10.5 kWh, 11 kW, that stays `stopping` once ended */
  readonly session?: SimSessionOptions | null;
  readonly arrange?: (h: Harness) => void;
  readonly expect: Expected;
}

const OBSERVED = ['observation', 'decision'];
const STOPPED = ['observation', 'decision', 'claim', 'result'];

const CASES: readonly FaultCase[] = [
  {
    name: 'no fault (baseline)',
    fault: 'none',
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['accepted'] },
  },
  {
    name: '500 JSON once on charge-points, then recovers',
    fault: 'GET charge-points 500 {"message"} x1',
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 500, method: 'GET', path: CHARGE_POINTS }),
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['accepted'] },
  },
  {
    name: '503 JSON on every read',
    fault: 'GET * 503 {"message"} always',
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 503, method: 'GET', times: FOREVER }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /charge-points: HTTP 503 Service Unavailable/,
      events: null,
    },
  },
  {
    name: '502 HTML error page on every read',
    fault: 'GET * 502 text/html always',
    arrange: ({ sim }) => sim.inject({ kind: 'html', status: 502, method: 'GET', times: FOREVER }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /HTTP 502 \(HTML error page: Bad Gateway\)/,
      events: null,
    },
  },
  {
    name: '401 Unauthenticated (token rejected)',
    fault: 'token not accepted: 401 on every call',
    arrange: ({ sim }) => sim.setToken(`other-${randomBytes(8).toString('hex')}`),
    expect: { exits: [1], ends: 0, action: null, stderr: /HTTP 401 Unauthenticated\./, events: null },
  },
  {
    name: '403 on charge-points',
    fault: 'GET charge-points 403 always',
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 403, path: CHARGE_POINTS, times: FOREVER }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /HTTP 403 This action is unauthorized\./,
      events: null,
    },
  },
  {
    name: '404 on charge-points: falls back to /session/active',
    fault: 'GET charge-points 404 always',
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 404, path: CHARGE_POINTS, times: FOREVER }),
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['accepted'] },
  },
  {
    name: '404 on /session/active for a public session: no session',
    fault: 'GET session/active 404 always (public session)',
    session: { where: 'public', energyWh: 10_500, stopDelayMs: 600_000 },
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 404, path: ACTIVE, times: FOREVER }),
    expect: { exits: [0], ends: 0, action: 'none', events: null },
  },
  {
    name: '406 Not Acceptable on charge-points',
    fault: 'GET charge-points 406 always',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'status',
        status: 406,
        path: CHARGE_POINTS,
        times: FOREVER,
        body: { message: 'Not Acceptable.' },
      }),
    expect: { exits: [1], ends: 0, action: null, stderr: /HTTP 406 Not Acceptable\./, events: null },
  },
  {
    name: '422 Laravel validation error on charge-points',
    fault: 'GET charge-points 422 {"message","errors"}',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'status',
        status: 422,
        path: CHARGE_POINTS,
        times: FOREVER,
        body: {
          message: 'The given data was invalid.',
          errors: { device: ['The x-device-id header is required.'] },
        },
      }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /HTTP 422 The given data was invalid\./,
      events: null,
    },
  },
  {
    name: '429 with Retry-After 1: waits and recovers',
    fault: 'GET charge-points 429 Retry-After: 1 x1',
    arrange: ({ sim }) =>
      sim.inject({ kind: 'status', status: 429, path: CHARGE_POINTS, headers: { 'retry-after': '1' } }),
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['accepted'], minMs: 1_000 },
  },
  {
    name: '429 with Retry-After 120: fails fast',
    fault: 'GET charge-points 429 Retry-After: 120 always',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'status',
        status: 429,
        path: CHARGE_POINTS,
        times: FOREVER,
        headers: { 'retry-after': '120' },
      }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /HTTP 429 Too Many Attempts\. \(retry after 120 s\)/,
      events: null,
      maxMs: 20_000, // far below the 120 s it was told to wait
    },
  },
  {
    name: 'connection reset once: retried, recovers',
    fault: 'GET charge-points reset x1',
    arrange: ({ sim }) => sim.inject({ kind: 'reset', method: 'GET', path: CHARGE_POINTS }),
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['accepted'] },
  },
  {
    name: 'connection reset on every read',
    fault: 'GET * reset always',
    arrange: ({ sim }) => sim.inject({ kind: 'reset', method: 'GET', times: FOREVER }),
    expect: { exits: [1], ends: 0, action: null, stderr: /charge-points: connection failed/, events: null },
  },
  {
    name: 'server never answers (hang)',
    fault: 'GET * accepted, never answered',
    arrange: ({ sim }) => sim.inject({ kind: 'hang', method: 'GET', times: FOREVER }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /charge-points: no answer in time/,
      events: null,
      minMs: 20_000,
    },
  },
  {
    name: 'truncated JSON (200, half the body)',
    fault: 'GET charge-points 200, body cut in half',
    arrange: ({ sim }) => sim.inject({ kind: 'truncated-json', path: CHARGE_POINTS }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /charge-points: the response is not valid JSON/,
      events: null,
    },
  },
  {
    name: 'malformed JSON (200)',
    fault: 'GET charge-points 200 {"data": [{"id": "CP',
    arrange: ({ sim }) => sim.inject({ kind: 'malformed-json', path: CHARGE_POINTS }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /charge-points: the response is not valid JSON/,
      events: null,
    },
  },
  {
    name: 'session without lastPeriod: no price, the energy rule still ends it',
    fault: 'transform: delete session.lastPeriod',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'transform',
        path: CHARGE_POINTS,
        transform: editSessions((s) => {
          delete s.lastPeriod;
        }),
      }),
    expect: {
      exits: [0],
      ends: 1,
      action: 'end',
      json: { reason: 'energy', pricePerKwh: null },
      events: STOPPED,
      results: ['accepted'],
    },
  },
  {
    name: 'energy as a string: invalid response, nothing ended',
    fault: 'transform: session.energy = "10500"',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'transform',
        path: CHARGE_POINTS,
        transform: editSessions((s) => {
          s.energy = String(s.energy);
        }),
      }),
    expect: {
      exits: [1],
      ends: 0,
      action: null,
      stderr: /charge-points: unexpected response shape: data\.0\.evses\.0\.session\.energy/,
      events: null,
    },
  },
  {
    name: 'negative energy: an impossible reading, judged and warned about, nothing ended',
    fault: 'transform: session.energy = -5',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'transform',
        path: CHARGE_POINTS,
        transform: editSessions((s) => {
          s.energy = -5;
        }),
      }),
    expect: {
      exits: [0],
      ends: 0,
      action: 'continue',
      events: OBSERVED,
    },
  },
  {
    name: 'power null: power unknown, the energy rule still ends it',
    fault: 'transform: session.power = null',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'transform',
        path: CHARGE_POINTS,
        transform: editSessions((s) => {
          s.power = null;
        }),
      }),
    expect: {
      exits: [0],
      ends: 1,
      action: 'end',
      json: { reason: 'energy', powerKw: null },
      events: STOPPED,
      results: ['accepted'],
    },
  },
  {
    name: 'unknown status "paused": continue, no stop',
    fault: 'transform: session.status = "paused"',
    arrange: ({ sim }) =>
      sim.inject({
        kind: 'transform',
        path: CHARGE_POINTS,
        transform: editSessions((s) => {
          s.status = 'paused';
        }),
      }),
    expect: { exits: [0], ends: 0, action: 'continue', events: OBSERVED },
  },
  {
    name: 'session vanishes between the read and /end',
    fault: 'session removed while charge-points is answered; /end and re-check get 404',
    arrange: ({ sim, sessionId }) =>
      sim.inject({
        kind: 'transform',
        path: CHARGE_POINTS,
        transform: (json) => {
          if (sessionId !== null) sim.removeSession(sessionId);
          return json;
        },
      }),
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['already-ended'] },
  },
  {
    name: '/end answers 404 and the re-check finds the session finished',
    fault: 'POST /end 404; GET session/{id} says finished',
    arrange: ({ sim }) => {
      sim.inject({ kind: 'status', status: 404, method: 'POST', path: END, body: { message: 'Not found.' } });
      sim.inject({
        kind: 'transform',
        path: DETAIL,
        transform: editEnvelope((s) => {
          s.status = 'finished';
        }),
      });
    },
    expect: { exits: [0], ends: 1, action: 'end', events: STOPPED, results: ['already-ended'] },
  },
  {
    name: '/end answers 404 but the re-check finds the session still active',
    fault: 'POST /end 404; session still active',
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 404, method: 'POST', path: END }),
    expect: {
      exits: [1],
      ends: 1,
      action: null,
      stderr: /stop answered 404 but the session is still active/,
      events: STOPPED,
      results: ['failed'],
    },
  },
  {
    name: '/end answers 500: failed, the next tick re-sends (attempt 2)',
    fault: 'POST /end 500 x1, then a second tick',
    arrange: ({ sim }) => sim.inject({ kind: 'status', status: 500, method: 'POST', path: END }),
    expect: {
      exits: [1, 0],
      ends: 2,
      action: 'end',
      stderr: /POST \/api\/v1\/app\/session\/\d+\/end: HTTP 500 Server Error/,
      events: [...STOPPED, ...STOPPED],
      results: ['failed', 'accepted'],
    },
  },
  {
    name: '/end connection reset: never retried, logged as failed',
    fault: 'POST /end reset x1',
    arrange: ({ sim }) => sim.inject({ kind: 'reset', method: 'POST', path: END }),
    expect: {
      exits: [1],
      ends: 1,
      action: null,
      stderr: /end: connection failed/,
      events: STOPPED,
      results: ['failed'],
    },
  },
  {
    name: '/end never answered: one attempt times out, logged as failed',
    fault: 'POST /end accepted, never answered',
    arrange: ({ sim }) => sim.inject({ kind: 'hang', method: 'POST', path: END }),
    expect: {
      exits: [1],
      ends: 1,
      action: null,
      stderr: /end: no answer in time/,
      events: STOPPED,
      results: ['failed'],
      minMs: 7_000,
    },
  },
];

interface Observation {
  readonly name: string;
  readonly fault: string;
  readonly exitCodes: number[];
  readonly endCalls: number;
  readonly actions: (string | null)[];
  readonly durationsMs: number[];
  readonly maxDurationMs: number;
  readonly stderr: string | null;
  readonly store: string;
}

const observations = new Map<string, Observation>();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  const ordered = CASES.map((c) => observations.get(c.name)).filter((o): o is Observation => o !== undefined);
  await writeFile(
    FAULT_MATRIX_FILE,
    `${JSON.stringify({ recordedAt: new Date().toISOString(), cases: ordered }, null, 2)}\n`,
  );
});

function lastJson(run: CliRun): Json | null {
  const lines = run.stdout.split('\n').filter((line) => line.trim().length > 0);
  if (lines.length === 0) return null;
  if (lines.length > 1) throw new Error(`expected at most one line on stdout, got: ${run.stdout}`);
  const value: unknown = JSON.parse(lines[0] ?? '');
  if (!isRecord(value)) throw new Error(`stdout is not a JSON object: ${run.stdout}`);
  return value;
}

function summarize(events: readonly string[] | null, results: readonly string[]): string {
  if (events === null) return 'nothing for the session';
  let resultIndex = 0;
  return events
    .map((kind) => (kind === 'result' ? `result(${results[resultIndex++] ?? '?'})` : kind))
    .join(', ');
}

/** Slowest first (they mostly wait on timers), so they overlap with the CPU-bound rest. */
const RUN_ORDER = [...CASES].sort((a, b) => (b.expect.minMs ?? 0) - (a.expect.minMs ?? 0));

describe.concurrent('fault matrix: stopwatt check --json --energy-kwh 10 on a 10.5 kWh session', () => {
  for (const c of RUN_ORDER) {
    it(c.name, async ({ expect }) => {
      // Prepare
      const token = `fm-${randomBytes(16).toString('hex')}`;
      const sim = await AmpecoSimulator.start({ clock: realClock(), token });
      cleanups.push(() => sim.close());
      const store = await tempDir('stopwatt-fault-', cleanups);
      const session =
        c.session === null
          ? null
          : sim.addSession(c.session ?? { energyWh: 10_500, powerKw: 11, stopDelayMs: 600_000 });
      const sessionId = session?.id ?? null;
      c.arrange?.({ sim, sessionId });
      const env = { ...baseEnv(), STOPWATT_API_URL: sim.url, STOPWATT_TOKEN: token, STOPWATT_STORE: store };

      // Act
      const runs: CliRun[] = [];
      for (let tick = 0; tick < c.expect.exits.length; tick++) {
        runs.push(await runCli(['check', '--json', '--energy-kwh', '10'], env));
      }

      // Assess
      const stored = sessionId !== null && (await storedSessionIds(store)).includes(sessionId);
      const log = stored && sessionId !== null ? await storedSession(store, sessionId) : null;
      const last = runs.at(-1);
      const failing = runs.find((run) => run.code !== 0);
      observations.set(c.name, {
        name: c.name,
        fault: c.fault,
        exitCodes: runs.map((run) => run.code),
        endCalls: sim.endRequests().length,
        actions: runs.map((run) => {
          const json = lastJson(run);
          return typeof json?.action === 'string' ? json.action : null;
        }),
        durationsMs: runs.map((run) => run.durationMs),
        maxDurationMs: Math.max(...runs.map((run) => run.durationMs)),
        stderr: failing?.stderr.trim() ?? null,
        store: summarize(log?.events ?? null, log?.results ?? []),
      });

      expect(runs.map((run) => run.code)).toEqual(c.expect.exits);
      expect(sim.endRequests()).toHaveLength(c.expect.ends);
      const json = last === undefined ? null : lastJson(last);
      expect(json?.action ?? null).toBe(c.expect.action);
      if (c.expect.json) expect(json).toMatchObject(c.expect.json);
      if (c.expect.stderr) expect(failing?.stderr).toMatch(c.expect.stderr);
      for (const run of runs) {
        expect(run.durationMs).toBeLessThan(c.expect.maxMs ?? TICK_BOUND_MS);
        if (run.code !== 0) {
          expect(run.stdout).toBe('');
          expect(run.stderr).toMatch(/^stopwatt: [^\n]+\n$/);
        }
        expect(`${run.stdout}${run.stderr}`).not.toContain(token);
      }
      if (c.expect.minMs !== undefined) expect(runs[0]?.durationMs).toBeGreaterThanOrEqual(c.expect.minMs);
      expect(log?.events ?? null).toEqual(c.expect.events);
      expect(log?.results ?? []).toEqual(c.expect.results ?? []);
      if (log !== null) {
        // Claim before stop: every /end the server saw has its claim file, and no claim is unlogged.
        expect(log.claims).toHaveLength(c.expect.ends);
        expect(log.events.filter((kind) => kind === 'claim')).toHaveLength(c.expect.ends);
      }
    });
  }
});
