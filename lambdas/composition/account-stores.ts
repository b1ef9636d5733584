import type { CredentialsStore } from '../adapters/ampeco/login.ts';
import type { NotificationLog } from '../adapters/notify/deduplicating-notifier.ts';
import type { ConditionLog, PriceCache, RulesStore, SessionLog, TokenStore } from '../ports.ts';

/** Credentials that can be looked for without reading them: a tick without a login never decrypts them. */
export interface StoredCredentials extends CredentialsStore {
  stored(): Promise<boolean>;
}

/** Where one account's check keeps its state: chosen by the entry (AWS or local files). */
export interface AccountStores {
  readonly log: SessionLog;
  readonly conditions: ConditionLog;
  readonly notifications: NotificationLog;
  readonly priceCache: PriceCache;
  readonly rules: RulesStore;
  readonly tokens: TokenStore;
  /** Login mode's stored credentials; null where the entry cannot renew a token by login. */
  readonly credentials: StoredCredentials | null;
  /** Where the token comes from: SSM (`token set`, login) or STOPWATT_TOKEN (the CLI's environment). */
  readonly tokenSource: 'ssm' | 'env';
  /** Where each store keeps its data (e.g. `dynamodb:<table>/<account>`), for logs and comparisons. */
  readonly where: Readonly<Record<StoreName, string>>;
}

export type StoreName =
  | 'log'
  | 'conditions'
  | 'notifications'
  | 'priceCache'
  | 'rules'
  | 'tokens'
  | 'credentials';
