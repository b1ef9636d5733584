import { accountParameterStores } from '../cli/aws-deps.ts';
import { type CliIo, EXIT_BAD_INPUT, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { readSecret } from '../cli/secret-input.ts';
import { parseCommandArgs } from './check.ts';

export const TOKEN_HELP = `Usage: stopwatt token set --account NAME [--region R] [--prefix /stopwatt]

Stores the bearer token of your charging app account as an SSM SecureString at
/stopwatt/<account>/token, where the deployed function reads it. The token is read from
standard input (e.g. 'pbpaste | stopwatt token set --account home') or typed at a prompt
that does not echo. It is never printed or written anywhere else.

Local runs take the token from STOPWATT_TOKEN instead (it is never stored in clear on disk).`;

const OPTIONS = {
  account: { type: 'string' },
  region: { type: 'string' },
  prefix: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const secrets: string[] = [];
  try {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h' || sub === undefined) {
      io.stdout.write(`${TOKEN_HELP}\n`);
      return sub === undefined ? EXIT_BAD_INPUT : EXIT_OK;
    }
    if (sub !== 'set') throw new UsageError(`unknown token command "${sub}" (expected: set)`);
    const { values } = parseCommandArgs(rest, OPTIONS);
    if (values.help) {
      io.stdout.write(`${TOKEN_HELP}\n`);
      return EXIT_OK;
    }
    const stores = accountParameterStores(io, values);
    const token = (await readSecret(io, 'Access token (input hidden): ')).replace(/^bearer\s+/i, '');
    secrets.push(token);
    if (/\s/.test(token)) throw new UsageError('the token contains whitespace; paste only the token');
    await stores.tokens.put(token);
    io.stdout.write(`stored the token as SecureString ${stores.tokens.parameterName}\n`);
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, secrets);
  }
}
