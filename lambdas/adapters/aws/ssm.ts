/** The SSM Parameter Store calls the stores make: GetParameter and PutParameter (JSON 1.1). */
import { AwsError } from '../../errors.ts';
import { AwsClient, type AwsClientOptions, parseJsonError } from './aws-client.ts';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface Parameter {
  readonly Name?: string | undefined;
  readonly Type?: ParameterType | undefined;
  readonly Value?: string | undefined;
  readonly Version?: number | undefined;
}

const SERVICE = { name: 'ssm', envId: 'SSM', parseError: parseJsonError };

export class Ssm {
  readonly #client: AwsClient;

  constructor(options: AwsClientOptions = {}) {
    this.#client = new AwsClient(SERVICE, options);
  }

  /** Throws AwsError `ParameterNotFound` when there is none. */
  async getParameter(input: {
    readonly Name: string;
    readonly WithDecryption?: boolean;
  }): Promise<{ Parameter?: Parameter | undefined }> {
    const out = await this.#call('GetParameter', input);
    return { Parameter: out.Parameter as Parameter | undefined };
  }

  async putParameter(input: {
    readonly Name: string;
    readonly Value: string;
    readonly Type: ParameterType;
    readonly Overwrite?: boolean;
  }): Promise<{ Version?: number | undefined }> {
    const out = await this.#call('PutParameter', input);
    return { Version: typeof out.Version === 'number' ? out.Version : undefined };
  }

  async #call(operation: string, input: object): Promise<Record<string, unknown>> {
    const text = await this.#client.call({
      label: `SSM ${operation}`,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonSSM.${operation}` },
      body: JSON.stringify(input),
    });
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  }
}

export function isParameterNotFound(error: unknown): boolean {
  return error instanceof AwsError && error.code === 'ParameterNotFound';
}
