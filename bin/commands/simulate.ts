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
  --speed N         run the simulated clock N times faster than real time (default 1)
  --token T         accept only this bearer token (default: any)
  --public          the session is public charging (only via /session/active)
  --no-session      start with no session
  -h, --help        show this help`;

const OPTIONS = {
  port: { type: 'string' },
  'power-kw': { type: 'string' },
  'energy-kwh': { type: 'string' },
  speed: { type: 'string' },
  token: { type: 'string' },
  public: { type: 'boolean' },
  'no-session': { type: 'boolean' },
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
    const simulator = await AmpecoSimulator.start({
      port,
      clock: speed === 1 ? realClock() : acceleratedClock(speed),
      token: values.token ?? null,
    });
    const lines = [`Simulated AMPECO API listening on ${simulator.url}`];
    if (!values['no-session']) {
      const session = simulator.addSession({
        powerKw,
        energyWh: energyKwh * 1000,
        where: values.public ? 'public' : 'personal',
      });
      lines.push(
        `Session ${session.id}: charging at ${powerKw} kW, ${energyKwh} kWh delivered${speed === 1 ? '' : `, clock x${speed}`}`,
      );
    }
    lines.push(
      '',
      'Try it in another terminal:',
      `  STOPWATT_API_URL=${simulator.url} STOPWATT_TOKEN=${values.token ?? 'demo'} stopwatt watch --energy-kwh ${energyKwh + 2} --interval 10`,
      '',
      `State: ${simulator.url}/__sim/state   Ctrl-C to stop.`,
    );
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
