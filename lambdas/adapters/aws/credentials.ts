import { ConfigError } from '../../errors.ts';

/** An AWS access key, with the session token of temporary credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** Called before each request: a provider may refresh expiring credentials. */
export type CredentialSource = () => Promise<AwsCredentials>;

/**
 * The function's role credentials, which Lambda puts into the environment. They stay valid for
 * the life of the execution environment, so they are read once.
 */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): CredentialSource {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    return () =>
      Promise.reject(
        new ConfigError('no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set'),
      );
  }
  const credentials: AwsCredentials = {
    accessKeyId,
    secretAccessKey,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  };
  return () => Promise.resolve(credentials);
}
