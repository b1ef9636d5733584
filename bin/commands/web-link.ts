import { renderUnicodeCompact } from 'uqr';
import { isParameterNotFound, type Ssm } from '../../lambdas/adapters/aws/ssm.ts';
import { createDynamoDbClient } from '../../lambdas/adapters/dynamodb/session-log.ts';
import { createSsmClient, parameterName } from '../../lambdas/adapters/ssm/parameters.ts';
import { ConfigError, errorMessage, ParameterStoreError } from '../../lambdas/errors.ts';
import { createSignInLink } from '../../lambdas/web/auth/sign-in-link.ts';
import { DynamoDbSignInLinks } from '../../lambdas/web/aws/dynamodb-sign-in-links.ts';
import { TABLE_LEAF, URL_LEAF } from '../../lambdas/web/aws/names.ts';
import { SsmSigningKeys } from '../../lambdas/web/aws/ssm-signing-keys.ts';
import { cliAwsOptions } from '../cli/aws-credentials.ts';
import { awsRegion } from '../cli/aws-deps.ts';
import { type CliIo, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { parseCommandArgs } from './check.ts';

export const WEB_LINK_HELP = `Usage: stopwatt web-link --account NAME [--region R] [--prefix /stopwatt] [--revoke]

Prints a one-time sign-in URL for the deployed phone page of the account (stacks deployed with
"web": true), and its QR code to scan with the phone. The link is valid for 10 minutes and works
once; the phone then stays signed in with a device cookie. The first run creates the page's
signing key (SSM SecureString /stopwatt/<account>/web/signing-key).

  --revoke   sign every device out: replaces the signing key, so every device cookie is refused`;

const OPTIONS = {
  account: { type: 'string' },
  region: { type: 'string' },
  prefix: { type: 'string' },
  revoke: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

// The deploy config's account-name rule: the stack only creates pages for names like these.
const ACCOUNT_NAME = /^[a-z0-9-]{1,32}$/;

export async function webLinkCommand(args: string[], io: CliIo): Promise<number> {
  const secrets: string[] = [];
  try {
    const { values } = parseCommandArgs(args, OPTIONS);
    if (values.help) {
      io.stdout.write(`${WEB_LINK_HELP}\n`);
      return EXIT_OK;
    }
    if (!values.account) throw new UsageError('--account is required');
    if (!ACCOUNT_NAME.test(values.account)) {
      throw new UsageError('--account must be 1-32 characters of lowercase a-z, 0-9 and -');
    }
    const target = { account: values.account, prefix: values.prefix ?? '/stopwatt' };
    const region = awsRegion(io, values.region);
    const aws = cliAwsOptions(region);
    const ssm = createSsmClient(aws);
    const keys = new SsmSigningKeys({ client: ssm, ...target, create: true });
    if (values.revoke) {
      const key = await keys.revoke();
      io.stdout.write(
        `signed every device out of account ${target.account} (signing key generation ${key.generation})\n`,
      );
      return EXIT_OK;
    }
    await keys.current();
    const [url, tableName] = await Promise.all([
      readStackParameter(ssm, target, URL_LEAF),
      readStackParameter(ssm, target, TABLE_LEAF),
    ]);
    const links = new DynamoDbSignInLinks({
      client: createDynamoDbClient(aws),
      tableName,
      account: target.account,
    });
    const now = new Date();
    const link = await createSignInLink(links, url, now);
    secrets.push(link.url);
    io.stdout.write(`sign in: ${link.url}\n\n${renderUnicodeCompact(link.url)}\n\n`);
    io.stdout.write(
      `valid for ${Math.round((link.expiresAt.getTime() - now.getTime()) / 60_000)} minutes, once; 'stopwatt web-link --revoke' signs every device out\n`,
    );
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, secrets);
  }
}

/** A String parameter the stack writes when `web: true`; its absence means no page is deployed. */
async function readStackParameter(
  ssm: Ssm,
  target: { account: string; prefix: string },
  leaf: string,
): Promise<string> {
  const name = parameterName(target.prefix, target.account, leaf);
  try {
    const out = await ssm.getParameter({ Name: name });
    const value = out.Parameter?.Value;
    if (!value) throw new Error('the parameter has no value');
    return value;
  } catch (error) {
    if (isParameterNotFound(error)) {
      throw new ConfigError(
        `no phone page is deployed for account ${target.account} (SSM parameter ${name} not found): set "web": true in stopwatt.config.json and deploy`,
      );
    }
    throw new ParameterStoreError(`cannot read SSM parameter ${name}: ${errorMessage(error)}`, name, {
      cause: error,
    });
  }
}
