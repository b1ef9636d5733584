import { STOPWATT_VERSION } from '../../lambdas/version.ts';
import { type CliIo, type Command, EXIT_BAD_INPUT, EXIT_OK } from './io.ts';

export const USAGE = `Usage: stopwatt <command> [options]

Ends your EV charging session on an AMPECO-based network (Drivee and others) when an energy
target, price limit, cost cap or deadline is reached.

Commands:
  check       run one tick: read the session, apply the rules, end it if a rule holds
  watch       run check repeatedly with live progress until the session ends (Ctrl-C stops)
  serve       watch and serve the phone page (live session, prices, history, overrides)
  simulate    start a simulated charging API on 127.0.0.1 to try stopwatt without a car
  prices      show today's and tomorrow's consumer electricity prices (Energi Data Service)
  rules       show or change the stored rules (local store, or SSM with --region)
  sessions    list recorded sessions (start, end, kWh, cost, stop reason); --csv for exports
  log         one session's timeline with charts of power, energy and price
  login       store your app login in SSM so the deployed function can renew its token
  token       store the access token in SSM Parameter Store for the deployed function
  web-link    print a one-time sign-in link (and QR code) for the deployed phone page; --revoke

Run 'stopwatt <command> --help' for the options of a command, 'stopwatt --version' for the version.`;

/** The CLI runs on Node 20 or newer; the deployed function runs on Lambda's Node 22. */
export function versionText(nodeVersion = process.version): string {
  return `stopwatt ${STOPWATT_VERSION}\nNode ${nodeVersion} (the CLI supports Node 20 or newer; the deployed function runs on Node 22)`;
}

// Loaded on demand: `check` should not pay for the simulator or the price code.
const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('../commands/check.ts')).checkCommand,
  watch: async () => (await import('../commands/watch.ts')).watchCommand,
  serve: async () => (await import('../commands/serve.ts')).serveCommand,
  simulate: async () => (await import('../commands/simulate.ts')).simulateCommand,
  prices: async () => (await import('../commands/prices.ts')).pricesCommand,
  token: async () => (await import('../commands/token.ts')).tokenCommand,
  login: async () => (await import('../commands/login.ts')).loginCommand,
  rules: async () => (await import('../commands/rules.ts')).rulesCommand,
  sessions: async () => (await import('../commands/sessions.ts')).sessionsCommand,
  log: async () => (await import('../commands/log.ts')).logCommand,
  'web-link': async () => (await import('../commands/web-link.ts')).webLinkCommand,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`stopwatt: no command given\n\n${USAGE}\n`);
    return EXIT_BAD_INPUT;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`${versionText()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`stopwatt: unknown command "${name}" (try stopwatt --help)\n`);
    return EXIT_BAD_INPUT;
  }
  return (await command())(rest, io);
}
