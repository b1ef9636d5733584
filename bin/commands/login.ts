import { createInterface } from 'node:readline/promises';
import { accountParameterStores } from '../cli/aws-deps.ts';
import { type CliIo, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { readPipedLines, readSecret } from '../cli/secret-input.ts';
import { parseCommandArgs } from './check.ts';

export const LOGIN_HELP = `Usage: stopwatt login --account NAME [--region R] [--username EMAIL] [--client-id ID]

Login mode: stores your app login as an SSM SecureString at /stopwatt/<account>/credentials.
The deployed function then logs in by itself when the token is rejected (at most once per tick),
keeps the new token at /stopwatt/<account>/token and, where the network issues one, the newest
refresh token. Asks for the e-mail (unless --username is given), then the password and the
app's client secret without echo; piped standard input is read as those lines, in that order.

The client secret is the OAuth client secret of the app, not yours: one constant per app, the
same for every user. stopwatt does not ship vendors' secrets: read it once from the app's sign-in
request (POST /api/v1/app/oauth/token) or ask your operator (README: "Getting a token").

Token mode (a pasted token, no credentials) keeps working: see 'stopwatt token set'.`;

const OPTIONS = {
  account: { type: 'string' },
  region: { type: 'string' },
  prefix: { type: 'string' },
  username: { type: 'string' },
  'client-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function loginCommand(args: string[], io: CliIo): Promise<number> {
  const secrets: string[] = [];
  try {
    const { values } = parseCommandArgs(args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${LOGIN_HELP}\n`);
      return EXIT_OK;
    }
    const stores = accountParameterStores(io, values);
    const username = values.username ?? (await ask(io, 'E-mail: '));
    if (!username) throw new UsageError('no e-mail given (type it at the prompt or pass --username)');
    const password = await readSecret(io, 'Password (input hidden): ');
    secrets.push(password);
    const clientSecret = await readSecret(
      io,
      "App client secret (the app's, the same for every user; input hidden): ",
    );
    secrets.push(clientSecret);
    await stores.credentials.put({ username, password, clientId: values['client-id'] ?? '1', clientSecret });
    io.stdout.write(`stored the login as SecureString ${stores.credentials.parameterName}\n`);
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, secrets);
  }
}

async function ask(io: CliIo, prompt: string): Promise<string> {
  if (!io.stdin) throw new UsageError('no standard input');
  // readline would swallow the lines after this one, leaving none for the secrets.
  if (!io.stdin.isTTY) return (await readPipedLines(io, 1))[0] ?? '';
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}
