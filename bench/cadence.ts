/**
 * AMPECO requests of the adaptive cadence: the real `tickOnCadence`, `buildCheck` and AMPECO
 * client against the simulator on loopback, ticked once a minute on a manual clock (in-tick
 * waits move it), requests counted at the simulator. Local file stores stand in for the table;
 * the cadence state is `MemoryReadCadence`, the DynamoDB adapter's semantics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileNotificationLog } from '../lambdas/adapters/local/file-notification-log.ts';
import { type AccountCheck, buildCheck } from '../lambdas/composition/build-check.ts';
import { tickOnCadence } from '../lambdas/composition/cadence.ts';
import { notificationChannels } from '../lambdas/composition/channels.ts';
import { localAccountStores } from '../lambdas/composition/local-stores.ts';
import { parseRules, type RulesInput } from '../lambdas/config.ts';
import { DEFAULT_EDS_URL, DEFAULT_IDLE_INTERVAL_MINUTES } from '../lambdas/contract.ts';
import type { Clock } from '../lambdas/ports.ts';
import { AmpecoSimulator, ManualClock } from '../lambdas/simulator/server.ts';
import type { Check } from './acceptance.ts';
import { MemoryReadCadence } from './memory-read-cadence.ts';
import { round } from './stats.ts';

const MINUTE_MS = 60_000;
const DAY_TICKS = 1_440;
const START = Date.parse('2026-03-02T00:00:00Z');
const TOKEN = 'bench-cadence';
/** The scheduled function's in-tick horizon at rate(1 minute). */
const HORIZON_MS = 60_000;
/** The charged-hour session: plugged in 7 minutes into an idle period, 11 kW until 30 kWh. */
const PLUG_IN_MINUTE = 7;
const SESSION = { energyWh: 0, powerKw: 11, targetKwh: 30 } as const;

interface Account {
  readonly homeChargers: boolean;
  readonly rules?: RulesInput;
}

interface Run {
  readonly sim: AmpecoSimulator;
  readonly clock: ManualClock;
  /** One scheduled tick at minute `minute` (or later, if an in-tick wait ran past it). */
  tick(minute: number): Promise<void>;
}

async function withRun<T>(account: Account, idleMinutes: number, body: (run: Run) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'stopwatt-bench-cadence-'));
  const clock = new ManualClock(START);
  const sim = await AmpecoSimulator.start({ clock, token: TOKEN, homeChargers: account.homeChargers });
  try {
    const check = await accountCheck(dir, sim.url, clock, account.rules ?? {});
    const cadence = new MemoryReadCadence();
    const settings = { idleIntervalMs: idleMinutes * MINUTE_MS, earlyMs: 30_000 };
    const warn = () => undefined;
    const tick = async (minute: number) => {
      clock.set(Math.max(clock.now(), START + minute * MINUTE_MS));
      await tickOnCadence(check, cadence, settings, { secrets: [], warn });
    };
    return await body({ sim, clock, tick });
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function accountCheck(
  dir: string,
  apiUrl: string,
  sim: ManualClock,
  rules: RulesInput,
): Promise<AccountCheck> {
  const clock: Clock = { now: () => new Date(sim.now()), sleep: async (ms) => sim.advance(Math.max(0, ms)) };
  const stores = localAccountStores({ dir, account: 'bench', token: TOKEN });
  return buildCheck({
    account: { name: 'bench', apiUrl, horizonMs: HORIZON_MS, followStops: true },
    stores,
    channels: notificationChannels({ log: new FileNotificationLog({ dir, account: 'bench' }), clock }),
    clock,
    edsUrl: DEFAULT_EDS_URL,
    instanceId: 'bench',
    resolveRules: () => parseRules({ energyKwh: SESSION.targetKwh, ...rules }),
  });
}

/** AMPECO requests over one idle day (1,440 ticks, no session). */
function idleDay(account: Account, idleMinutes: number): Promise<number> {
  return withRun(account, idleMinutes, async (run) => {
    for (let minute = 0; minute < DAY_TICKS; minute += 1) await run.tick(minute);
    return run.sim.requests.length;
  });
}

/**
 * AMPECO requests per charged hour: from plug-in to the `/end` request (included), over that
 * time, as the precision bench counts them; the session is plugged in during an idle interval.
 */
function chargedHour(account: Account & { where: 'personal' | 'public' }, idleMinutes: number) {
  return withRun(account, idleMinutes, async (run) => {
    for (let minute = 0; minute < PLUG_IN_MINUTE; minute += 1) await run.tick(minute);
    const pluggedAt = START + PLUG_IN_MINUTE * MINUTE_MS;
    run.clock.set(pluggedAt);
    const session = run.sim.addSession({ ...SESSION, where: account.where });
    const before = run.sim.requests.length;
    for (let minute = PLUG_IN_MINUTE; run.sim.endRequests(session.id).length === 0; minute += 1) {
      if (minute > DAY_TICKS) throw new Error('bench cadence: the session was never ended');
      await run.tick(minute);
    }
    const end = run.sim.endRequests(session.id)[0]?.atMs ?? Number.NaN;
    const calls = run.sim.requests.filter((r, i) => i >= before && r.atMs <= end).length;
    const hours = (end - pluggedAt) / 3_600_000;
    const noticedAfterS = ((run.sim.requests[before]?.atMs ?? end) - pluggedAt) / 1000;
    return { calls, hours: round(hours, 3), perHour: round(calls / hours, 2), noticedAfterS };
  });
}

const HOME: Account = { homeChargers: true };
const NO_HOME: Account = { homeChargers: false };

export type CadenceReport = Awaited<ReturnType<typeof measureCadence>>;

export async function measureCadence() {
  const idle = DEFAULT_IDLE_INTERVAL_MINUTES;
  const before = await idleDay(HOME, 0);
  const perDay = {
    beforeEveryTick: before,
    homeChargers: await idleDay(HOME, idle),
    noHomeCharger: await idleDay(NO_HOME, idle),
    homeChargersWithPublic: await idleDay({ homeChargers: true, rules: { idlePublicCharging: true } }, idle),
  };
  const charged = {
    homeOff: await chargedHour({ ...HOME, where: 'personal' }, 0),
    homeOn: await chargedHour({ ...HOME, where: 'personal' }, idle),
    publicOff: await chargedHour({ ...NO_HOME, where: 'public' }, 0),
    publicOn: await chargedHour({ ...NO_HOME, where: 'public' }, idle),
  };
  return { idleIntervalMinutes: idle, ticksPerDay: DAY_TICKS, perDay, charged };
}

/** The report's lines: requests per idle day and per charged hour. */
export function cadenceLines(report: CadenceReport): string[] {
  const { perDay, charged } = report;
  const ratio = (n: number) => `${round(perDay.beforeEveryTick / n, 1)}x fewer`;
  const hour = (label: string, off: typeof charged.homeOff, on: typeof charged.homeOff) =>
    `  ${label}: cadence off ${off.perHour}/h (${off.calls} in ${off.hours} h), on ${on.perHour}/h ` +
    `(${on.calls} in ${on.hours} h; noticed ${on.noticedAfterS} s after plug-in): ${signedPercent(on.perHour / off.perHour)}`;
  return [
    `AMPECO requests per idle day (${report.ticksPerDay} ticks at rate(1 minute), no session, counted at the simulator)`,
    `  before: every tick reads, charge points then the active-session fallback: ${perDay.beforeEveryTick}`,
    `  after, idle interval ${report.idleIntervalMinutes} min, home charger: ${perDay.homeChargers} (${ratio(perDay.homeChargers)})`,
    `  after, no home charger (learning read included): ${perDay.noHomeCharger} (${ratio(perDay.noHomeCharger)})`,
    `  after, home charger with idlePublicCharging (both places each idle read): ${perDay.homeChargersWithPublic} (${ratio(perDay.homeChargersWithPublic)})`,
    'AMPECO requests per charged hour (plug-in to /end, 11 kW to 30 kWh, precise wait and stop follow on)',
    hour('home charger', charged.homeOff, charged.homeOn),
    hour('public charger, no home charger', charged.publicOff, charged.publicOn),
  ];
}

/** The cadence's acceptance targets on this run. */
export function cadenceChecks(report: CadenceReport): Check[] {
  const worstIdle = Math.max(report.perDay.homeChargers, report.perDay.noHomeCharger);
  const { homeOn, homeOff, publicOn, publicOff } = report.charged;
  return [
    {
      what: 'idle AMPECO requests per day, worst account kind',
      value: worstIdle,
      limit: '<= 300',
      holds: worstIdle <= 300,
    },
    {
      what: 'home charger: calls/charged h with the cadence vs every tick (60 s polling) (%)',
      value: round((homeOn.perHour / homeOff.perHour - 1) * 100, 2),
      limit: '<= +10 %',
      holds: homeOn.perHour <= 1.1 * homeOff.perHour,
    },
    {
      what: 'public charger: calls/charged h with the cadence vs every tick (60 s polling) (%)',
      value: round((publicOn.perHour / publicOff.perHour - 1) * 100, 2),
      limit: '<= +10 %',
      holds: publicOn.perHour <= 1.1 * publicOff.perHour,
    },
  ];
}

function signedPercent(ratio: number): string {
  const percent = round((ratio - 1) * 100, 1);
  return `${percent >= 0 ? '+' : ''}${percent} %`;
}
