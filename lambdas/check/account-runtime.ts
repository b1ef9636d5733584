import { randomBytes } from 'node:crypto';
import { type AccessTokenProvider, AmpecoClient } from '../adapters/ampeco/client.ts';
import { deviceIdFrom } from '../adapters/ampeco/headers.ts';
import { LoginTokenProvider } from '../adapters/ampeco/login.ts';
import { DynamoDbConditionLog } from '../adapters/dynamodb/condition-log.ts';
import { DynamoDbNotificationLog } from '../adapters/dynamodb/notification-log.ts';
import { DynamoDbPriceCache } from '../adapters/dynamodb/price-cache.ts';
import { DynamoDbSessionLog } from '../adapters/dynamodb/session-log.ts';
import { EnergiDataServiceClient } from '../adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../adapters/energidataservice/spot-price-source.ts';
import { DeduplicatingNotifier } from '../adapters/notify/deduplicating-notifier.ts';
import { FanOutNotifier } from '../adapters/notify/fan-out-notifier.ts';
import { SnsNotifier } from '../adapters/notify/sns-notifier.ts';
import { WebhookNotifier } from '../adapters/notify/webhook-notifier.ts';
import { SsmCredentialsStore, SsmRulesStore, SsmTokenStore } from '../adapters/ssm/parameters.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { parseRules } from '../config.ts';
import { AuthError, ConfigError, errorMessage } from '../errors.ts';
import { authFailedNotice, expiryNotice, rulesInvalidNotice } from '../notices.ts';
import type { Notifier } from '../ports.ts';
import { type CheckOutcome, runCheck } from '../run-check.ts';
import type { HandlerDeps } from './handler.ts';

export interface AccountRuntime {
  /** One tick; `secrets` receives the token (and credentials) so callers can scrub them from logs. */
  tick(secrets: string[], warn: (message: string) => void): Promise<CheckOutcome>;
}

/** Adapters for one account, built once per cold start. */
export function buildAccountRuntime(deps: HandlerDeps, name: string): AccountRuntime {
  const { env } = deps;
  const account = env.STOPWATT_ACCOUNTS.find((a) => a.name === name);
  if (!account) throw new ConfigError(`unknown account "${name}": not in STOPWATT_ACCOUNTS`);
  const clock = deps.clock ?? systemClock;
  // Unique per runtime (cold start): a tick recognises its own stop claim by it, so two runners
  // that share a log stream name or a pid must still differ.
  const instanceId = `lambda-${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? process.pid}-${randomBytes(3).toString('hex')}`;
  const store = { client: deps.ssm, prefix: env.STOPWATT_PARAMETER_PREFIX, account: name };
  const tokens = new SsmTokenStore(store);
  const rulesStore = new SsmRulesStore(store);
  const credentialsStore = new SsmCredentialsStore(store);
  const log = new DynamoDbSessionLog({
    client: deps.dynamo,
    tableName: env.STOPWATT_TABLE_NAME,
    account: name,
    ttlDays: env.STOPWATT_TTL_DAYS,
  });
  const notificationLog = new DynamoDbNotificationLog({
    client: deps.dynamo,
    tableName: env.STOPWATT_TABLE_NAME,
    account: name,
  });
  // Deduplicated per channel: a webhook that keeps failing must not repeat every e-mail each tick.
  const channel = (inner: Notifier, channelName: string): Notifier =>
    new DeduplicatingNotifier({ inner, log: notificationLog, channel: channelName, now: () => clock.now() });
  const channels: Notifier[] = [];
  if (deps.sns && env.STOPWATT_TOPIC_ARN) {
    channels.push(channel(new SnsNotifier({ client: deps.sns, topicArn: env.STOPWATT_TOPIC_ARN }), 'sns'));
  }
  if (env.STOPWATT_WEBHOOK_URL) {
    channels.push(channel(new WebhookNotifier({ url: env.STOPWATT_WEBHOOK_URL }), 'webhook'));
  }
  const notifier = channels.length > 0 ? new FanOutNotifier(channels) : undefined;
  const conditions = new DynamoDbConditionLog({
    client: deps.dynamo,
    tableName: env.STOPWATT_TABLE_NAME,
    account: name,
  });
  const priceCache = new DynamoDbPriceCache({ client: deps.dynamo, tableName: env.STOPWATT_TABLE_NAME });
  const edsClient = new EnergiDataServiceClient({ baseUrl: env.STOPWATT_EDS_URL });
  const warnings = { current: (_message: string): void => undefined };
  let deviceId: string | null = null;
  let login: LoginTokenProvider | null = null;
  // Kept across warm invocations so the source's fetch pacing survives; rebuilt when rules change it.
  let spot: { key: string; source: SpotPriceSource } | null = null;

  const notify = async (event: Parameters<Notifier['send']>[0], warn: (m: string) => void) => {
    try {
      await notifier?.send(event);
    } catch (error) {
      warn(`notification failed: ${errorMessage(error)}`);
    }
  };

  const notifyAuthFailed = async (error: AuthError, loginMode: boolean, warn: (m: string) => void) => {
    await notify(
      authFailedNotice({ account: name, error: errorMessage(error), loginMode, now: clock.now() }),
      warn,
    );
  };

  return {
    async tick(secrets, warn) {
      warnings.current = warn;
      let rules: ReturnType<typeof parseRules>;
      try {
        // With no stored rules nothing is ended; the account's price area is still the default.
        rules = (await rulesStore.get()) ?? parseRules({ priceArea: account.priceArea });
      } catch (error) {
        if (error instanceof ConfigError) {
          await notify(
            rulesInvalidNotice({ account: name, error: errorMessage(error), now: clock.now() }),
            warn,
          );
        }
        throw error;
      }

      deviceId ??= await deviceIdFrom(`${name}@${account.apiUrl}`);
      const credentials = await credentialsStore.get();
      let auth: AccessTokenProvider;
      let token: string;
      if (credentials) {
        secrets.push(credentials.password, credentials.clientSecret, credentials.refreshToken ?? '');
        login ??= new LoginTokenProvider({
          apiUrl: account.apiUrl,
          deviceId,
          tokens,
          credentials: credentialsStore,
          fixHint: `check the login with \`stopwatt login --account ${name}\``,
        });
        login.newTick();
        auth = login;
        try {
          // With no stored token (a fresh `stopwatt login`) this is the tick's one login.
          token = await login.token();
        } catch (error) {
          if (error instanceof AuthError) await notifyAuthFailed(error, true, warn);
          throw error;
        }
      } else {
        const stored = await tokens.get();
        if (!stored) {
          throw new ConfigError(
            `no access token for account "${name}": store one with \`stopwatt token set --account ${name}\` (or log in with \`stopwatt login\`)`,
          );
        }
        token = stored;
        auth = {
          token: async () => stored,
          fixHint: `get a new token from the app and run \`stopwatt token set --account ${name}\`, or use login mode (\`stopwatt login --account ${name}\`)`,
        };
      }
      secrets.push(token);

      const notice = expiryNotice(token, clock.now(), { account: name, loginMode: credentials !== null });
      if (notice) {
        warn(notice.message);
        await notify(notice, warn);
      }

      let prices: SpotPriceSource | undefined;
      if (rules.priceSource === 'spot') {
        const key = JSON.stringify([rules.priceArea, rules.tariff, rules.timezone]);
        if (spot?.key !== key) {
          const source = new SpotPriceSource({
            client: edsClient,
            cache: priceCache,
            area: rules.priceArea,
            tariff: rules.tariff,
            timeZone: rules.timezone,
            now: () => clock.now(),
            onWarning: (message) => warnings.current(message),
          });
          spot = { key, source };
        }
        prices = spot.source;
      }
      try {
        return await runCheck({
          api: new AmpecoClient({ apiUrl: account.apiUrl, deviceId, auth }),
          log,
          rules,
          clock,
          prices,
          notifier,
          instanceId,
          horizonMs: account.horizonSeconds * 1000,
          rulesStore,
          conditions,
          warn,
        });
      } catch (error) {
        if (error instanceof AuthError) await notifyAuthFailed(error, credentials !== null, warn);
        throw error;
      }
    },
  };
}
