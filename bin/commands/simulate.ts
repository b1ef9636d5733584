import { parseMeterCadence } from '../../lambdas/simulator/meter.ts';
import { AmpecoSimulator, acceleratedClock, realClock } from '../../lambdas/simulator/server.ts';
import { type CliIo, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { parseCommandArgs } from './check.ts';

export const SIMULATE_HELP = `Usage: stopwatt simulate [options]

Starts a simulated AMPECO charging API on 127.0.0.1 (same response shapes as the real one)
with one charging session, and prints its URL. Point stopwatt at it to try the rules without
a car. Ctrl-C stops it.

Options:
  --port N          port to listen on (default: a free one)
  --power-kw N      charging power of the session (default 11)
  --energy-kwh N    energy already delivered (default 0)
  --speed N         run the simulated clock N times faster than real time (default 1);
                    check and watch follow it with --simulator-clock
  --token T         accept only this bearer token (default: any)
  --public          the session is public charging (only via /session/active)
  --no-session      start with no session; add one later with
                    curl -X POST <url>/__sim/sessions -d '{"powerKw": 11, "energyWh": 0}'
  --meter M         when the charger sends meter values: 60 (every 60 s, the default, as
                    real chargers), any N seconds, Nkwh (one value per N kWh, like Easee)
                    or continuous (a value every second)
  --power-noise P   each meter value reads the power +/- up to P percent (default 0)
  --stop-latency S  seconds the charger keeps delivering after /end before it stops (default 5)
  -h, --help        show this help

Session ids are derived from the start time, so a restarted simulator never reuses one.`;

const OPTIONS = {
  port: { type: 'string' },
  'power-kw': { type: 'string' },
  'energy-kwh': { type: 'string' },
  speed: { type: 'string' },
  token: { type: 'string' },
  public: { type: 'boolean' },
  'no-session': { type: 'boolean' },
  meter: { type: 'string' },
  'power-noise': { type: 'string' },
  'stop-latency': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positive(flag: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || (!allowZero && value === 0)) {
    throw new UsageError(
      `--${flag} must be a ${allowZero ? 'non-negative' : 'positive'} number (got "${raw}")`,
    );
  }
  return value;
}

/**
 * The suggested watch command. On a faster clock, watch must run on the simulator's time
 * (`--simulator-clock`): on real time each poll would cover `speed` times more charging and the
 * readings would look impossible. The interval keeps a poll at most about 10 s of real time.
 */
function tryItLines(url: string, token: string, energyKwh: number, speed: number): string[] {
  const env = `STOPWATT_API_URL=${url} STOPWATT_TOKEN=${token}`;
  const intervalS = Math.max(5, Math.min(60, Math.round(10 * speed)));
  const clock = speed === 1 ? '' : ' --simulator-clock';
  const lines = ['', 'Try it in another terminal:'];
  lines.push(`  ${env} stopwatt watch --energy-kwh ${energyKwh + 2} --interval ${intervalS}${clock}`);
  if (speed !== 1) {
    lines.push(
      `  (clock x${speed}: --simulator-clock makes watch follow this simulator's clock, so the`,
      `   ${intervalS} s interval is simulated time, ${formatSeconds(intervalS / speed)} of real time per poll)`,
    );
  }
  lines.push('');
  return lines;
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toPrecision(2))} s`;
}

export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseCommandArgs(args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${SIMULATE_HELP}\n`);
      return EXIT_OK;
    }
    const port = positive('port', values.port, 0, true);
    if (!Number.isInteger(port) || port > 65535)
      throw new UsageError(`--port must be 0-65535 (got ${values.port})`);
    const speed = positive('speed', values.speed, 1);
    const powerKw = positive('power-kw', values['power-kw'], 11);
    const energyKwh = positive('energy-kwh', values['energy-kwh'], 0, true);
    const meter = parseMeterCadence(values.meter ?? '60');
    if (meter === null)
      throw new UsageError(`--meter must be N (seconds), Nkwh or continuous (got "${values.meter}")`);
    const powerNoisePct = positive('power-noise', values['power-noise'], 0, true);
    const stopDelayMs = positive('stop-latency', values['stop-latency'], 5, true) * 1000;
    const simulator = await AmpecoSimulator.start({
      port,
      clock: speed === 1 ? realClock() : acceleratedClock(speed),
      token: values.token ?? null,
      firstSessionId: Math.floor(Date.now() / 1000),
    });
    const lines = [`Simulated AMPECO API listening on ${simulator.url}`];
    if (!values['no-session']) {
      const session = simulator.addSession({
        powerKw,
        energyWh: energyKwh * 1000,
        where: values.public ? 'public' : 'personal',
        meter,
        powerNoisePct,
        stopDelayMs,
      });
      lines.push(
        `Session ${session.id}: charging at ${powerKw} kW, ${energyKwh} kWh delivered${speed === 1 ? '' : `, clock x${speed}`}`,
      );
    }
    lines.push(...tryItLines(simulator.url, values.token ?? 'demo', energyKwh, speed));
    if (values['no-session']) {
      lines.push(`Add a session: curl -X POST ${simulator.url}/__sim/sessions -d '{"powerKw": ${powerKw}}'`);
    }
    lines.push(`State: ${simulator.url}/__sim/state   Ctrl-C to stop.`);
    io.stdout.write(`${lines.join('\n')}\n`);
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await simulator.close();
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io);
  }
}
