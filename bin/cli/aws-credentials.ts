import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClientOptions } from '../../lambdas/adapters/aws/aws-client.ts';

/**
 * How the CLI reaches AWS from a laptop: the SDK's default credential chain (environment,
 * profiles, SSO, ...), which the Lambda does without. Only the chain is borrowed from the SDK
 * client; the calls themselves go through lambdas/adapters/aws like the function's.
 */
export function cliAwsOptions(region: string): AwsClientOptions {
  const sdk = new SSMClient({ region });
  return { region, credentials: () => sdk.config.credentials() };
}
