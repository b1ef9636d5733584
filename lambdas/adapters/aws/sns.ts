/** SNS Publish, the one SNS call stopwatt makes (AWS query protocol: a form POST, XML back). */
import { AwsClient, type AwsClientOptions } from './aws-client.ts';
import { uriEncode } from './signature-v4.ts';

export interface PublishInput {
  readonly TopicArn: string;
  readonly Subject?: string | undefined;
  readonly Message: string;
  /** String attributes only. */
  readonly MessageAttributes?: Readonly<Record<string, string>> | undefined;
}

const SERVICE = { name: 'sns', envId: 'SNS', parseError: parseXmlError };

export class Sns {
  readonly #client: AwsClient;

  constructor(options: AwsClientOptions = {}) {
    this.#client = new AwsClient(SERVICE, options);
  }

  async publish(input: PublishInput): Promise<void> {
    const form: [string, string][] = [
      ['Action', 'Publish'],
      ['Version', '2010-03-31'],
      ['TopicArn', input.TopicArn],
      ...(input.Subject === undefined ? [] : ([['Subject', input.Subject]] as [string, string][])),
      ['Message', input.Message],
    ];
    Object.entries(input.MessageAttributes ?? {}).forEach(([name, value], i) => {
      const entry = `MessageAttributes.entry.${i + 1}`;
      form.push(
        [`${entry}.Name`, name],
        [`${entry}.Value.DataType`, 'String'],
        [`${entry}.Value.StringValue`, value],
      );
    });
    await this.#client.call({
      label: 'SNS Publish',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.map(([key, value]) => `${uriEncode(key)}=${uriEncode(value)}`).join('&'),
    });
  }
}

/** `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error></ErrorResponse>`. */
function parseXmlError(text: string): { code: string; message: string; details: Record<string, unknown> } {
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? '';
  return { code: field('Code'), message: unescapeXml(field('Message')), details: {} };
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '',
  );
}
