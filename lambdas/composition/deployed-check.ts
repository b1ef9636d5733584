import type { DynamoDb } from '../adapters/aws/dynamodb.ts';
import type { Sns } from '../adapters/aws/sns.ts';
import type { Ssm } from '../adapters/aws/ssm.ts';
import { SnsNotifier } from '../adapters/notify/sns-notifier.ts';
import { awsAccountStores } from './aws-stores.ts';
import type { CheckParts, EntryChoices } from './build-check.ts';
import { notificationChannels } from './channels.ts';

/** The deployed function's settings (its environment); `check --table` reads the same names. */
export interface DeployedSettings {
  readonly tableName: string;
  readonly parameterPrefix: string;
  readonly ttlDays: number;
  readonly edsUrl: string;
  readonly topicArn?: string | undefined;
  readonly webhookUrl?: string | undefined;
}

export interface AwsClients {
  readonly dynamo: DynamoDb;
  readonly ssm: Ssm;
  /** Needed only with a topic. */
  readonly sns?: Sns | undefined;
}

/**
 * The parts of a check against the deployed resources. The Lambda handler and `check --table`
 * both come through here, so they use the same stores, channels and price cache by construction.
 */
export function deployedCheckParts(
  clients: AwsClients,
  settings: DeployedSettings,
  entry: EntryChoices,
): CheckParts {
  const stores = awsAccountStores({
    dynamo: clients.dynamo,
    ssm: clients.ssm,
    tableName: settings.tableName,
    parameterPrefix: settings.parameterPrefix,
    ttlDays: settings.ttlDays,
    account: entry.account.name,
    fixedToken: entry.fixedToken,
    now: () => entry.clock.now().getTime(),
  });
  const sns =
    clients.sns && settings.topicArn
      ? new SnsNotifier({ client: clients.sns, topicArn: settings.topicArn })
      : undefined;
  const { fixedToken: _fixed, ...choices } = entry;
  return {
    ...choices,
    stores,
    channels: notificationChannels({
      sns,
      webhookUrl: settings.webhookUrl,
      log: stores.notifications,
      clock: entry.clock,
    }),
    edsUrl: settings.edsUrl,
  };
}
