import { AmpecoClient } from '../adapters/ampeco/client.ts';
import { deviceIdFrom } from '../adapters/ampeco/headers.ts';
import { DynamoDbPriceCache } from '../adapters/dynamodb/price-cache.ts';
import { DynamoDbSessionLog } from '../adapters/dynamodb/session-log.ts';
import { EnergiDataServiceClient } from '../adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../adapters/energidataservice/spot-price-source.ts';
import { FanOutNotifier } from '../adapters/notify/fan-out-notifier.ts';
import { SnsNotifier } from '../adapters/notify/sns-notifier.ts';
import { SsmRulesStore, SsmTokenStore } from '../adapters/ssm/parameters.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { parseRules } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { Notifier } from '../ports.ts';
import { type CheckOutcome, runCheck } from '../run-check.ts';
import type { HandlerDeps } from './handler.ts';

export interface AccountRuntime {
  /** One tick; `secrets` receives the token so callers can scrub it from anything they log. */
  tick(secrets: string[], warn: (message: string) => void): Promise<CheckOutcome>;
}

/** Adapters for one account, built once per cold start. */
export function buildAccountRuntime(deps: HandlerDeps, name: string): AccountRuntime {
  const { env } = deps;
  const account = env.STOPWATT_ACCOUNTS.find((a) => a.name === name);
  if (!account) throw new ConfigError(`unknown account "${name}": not in STOPWATT_ACCOUNTS`);
  const clock = deps.clock ?? systemClock;
  const store = { client: deps.ssm, prefix: env.STOPWATT_PARAMETER_PREFIX, account: name };
  const tokens = new SsmTokenStore(store);
  const rulesStore = new SsmRulesStore(store);
  const log = new DynamoDbSessionLog({
    client: deps.dynamo,
    tableName: env.STOPWATT_TABLE_NAME,
    account: name,
    ttlDays: env.STOPWATT_TTL_DAYS,
  });
  const notifiers: Notifier[] = [];
  if (deps.sns && env.STOPWATT_TOPIC_ARN) {
    notifiers.push(new SnsNotifier({ client: deps.sns, topicArn: env.STOPWATT_TOPIC_ARN }));
  }
  const notifier = notifiers.length > 0 ? new FanOutNotifier(notifiers) : undefined;
  const priceCache = new DynamoDbPriceCache({ client: deps.dynamo, tableName: env.STOPWATT_TABLE_NAME });
  const edsClient = new EnergiDataServiceClient({ baseUrl: env.STOPWATT_EDS_URL });
  let api: AmpecoClient | null = null;
  const warnings = { current: (_message: string): void => undefined };
  // Kept across warm invocations so the source's fetch pacing survives; rebuilt when rules change it.
  let spot: { key: string; source: SpotPriceSource } | null = null;

  return {
    async tick(secrets, warn) {
      const token = await tokens.get();
      if (!token) {
        throw new ConfigError(
          `no access token for account "${name}": store one with \`stopwatt token set --account ${name}\``,
        );
      }
      secrets.push(token);
      const rules = (await rulesStore.get()) ?? parseRules({});
      if (!api) {
        api = new AmpecoClient({
          apiUrl: account.apiUrl,
          deviceId: await deviceIdFrom(`${name}@${account.apiUrl}`),
          auth: { token: async () => (await tokens.get()) ?? token },
        });
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
      warnings.current = warn;
      return runCheck({
        api,
        log,
        rules,
        clock,
        prices,
        notifier,
        instanceId: `lambda-${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? process.pid}`,
        horizonMs: account.horizonSeconds * 1000,
        warn,
      });
    },
  };
}
