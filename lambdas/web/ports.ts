import type { Context } from 'hono';
import type { Rules } from '../core/rules.ts';
import type { PriceSource, RulesStore, SessionLog } from '../ports.ts';

/**
 * One-time sign-in links. Only a hash of the nonce is stored (SHA-256, hex), so a leaked store
 * does not leak a usable link. Local: files; deployed: DynamoDB with a conditional delete.
 */
export interface SignInLinks {
  /** Stores a new link; it is valid until `expiresAt` and can be consumed once. */
  create(nonceHash: string, expiresAt: Date): Promise<void>;
  /**
   * Atomically consumes the link: true for exactly one caller, and only when the link exists and
   * `now` is before its expiry; false otherwise (unknown, used, or expired). Never throws for those.
   */
  consume(nonceHash: string, now: Date): Promise<boolean>;
}

/** The per-deploy secret that signs device cookies and CSRF tokens. Never sent to the browser. */
export interface SigningKey {
  /** At least 32 random bytes. */
  readonly secret: Uint8Array;
  /** Bumped by every revoke; a cookie of another generation is refused. */
  readonly generation: number;
}

export interface SigningKeys {
  /** The current key; created on first use. */
  current(): Promise<SigningKey>;
  /** Replaces the secret and bumps the generation: every device is signed out. */
  revoke(): Promise<SigningKey>;
}

/**
 * Failed sign-in attempts per client, for slowing and then refusing guessing. Deployed instances
 * share it (DynamoDB); locally one process holds it in memory.
 */
export interface SignInAttempts {
  /** Failures recorded for `client` at or after `since`. */
  failures(client: string, since: Date): Promise<number>;
  recordFailure(client: string, at: Date): Promise<void>;
}

/** What the last tick of the check (watch loop or scheduled function) did, for the Now page. */
export interface TickStatus {
  readonly at: Date;
  /** The check outcome's action (`end`, `continue`, `none`, ...) or `error`. */
  readonly action: string;
  /** One human-readable line (already redacted: never a token). */
  readonly detail: string;
  /** The error of a failed tick, redacted; null when the tick ran. */
  readonly error: string | null;
  /** Warnings of the tick (price feed down, ...), redacted. */
  readonly warnings: readonly string[];
  /** When the AMPECO access token expires (from its `exp` claim); null when unknown. */
  readonly tokenExpiresAt: Date | null;
}

export interface TickStatusStore {
  /** The latest tick's status, or null before the first tick. */
  get(): Promise<TickStatus | null>;
  put(status: TickStatus): Promise<void>;
}

/** A change made from the web app, kept with its time ("who changed the rules when"). */
export interface ControlChange {
  readonly at: Date;
  /** `once`, `leave-alone`, `stop-now`, `clear`, `revoke`. */
  readonly action: string;
  /** What was set, e.g. `energyKwh=30 maxPricePerKwh=2.5`. */
  readonly detail: string;
}

export interface ControlLog {
  record(change: ControlChange): Promise<void>;
  /** The latest changes, newest first. */
  recent(limit: number): Promise<ControlChange[]>;
}

/**
 * Optional: asks the check to run a tick soon, so "stop now" or a new target takes effect without
 * waiting for the next scheduled tick. Local: wakes the serve loop; deployed: may invoke the check
 * function asynchronously. A failure is reported on the page, the change itself is already stored.
 */
export interface TickTrigger {
  requestTick(): Promise<void>;
}

/** A static file the app serves from its own origin (uPlot, the stylesheet, the chart script). */
export interface StaticAsset {
  readonly body: string;
  readonly contentType: string;
}

/** Everything the web app needs; the same app runs on Node (`stopwatt serve`) and on Lambda. */
export interface WebDeps {
  /** The same log the check writes (sessions, observations, decisions). Read only. */
  readonly log: SessionLog;
  /** The same rules store the check reads; changes are validated with `parseRules` first. */
  readonly rules: RulesStore;
  /**
   * Optional: the rules the check applies given the stored ones (`stopwatt serve` lays its rule
   * flags over them). The Now and Prices pages show these; changes still go to `rules`.
   */
  readonly appliedRules?: ((stored: Rules | null) => Promise<Rules>) | undefined;
  /** The consumer price source for the rules' spot model, or null for `priceSource: session`. */
  readonly pricesFor: (rules: Rules) => PriceSource | null;
  readonly links: SignInLinks;
  readonly keys: SigningKeys;
  readonly attempts: SignInAttempts;
  readonly ticks: TickStatusStore;
  readonly controls: ControlLog;
  readonly trigger?: TickTrigger | undefined;
  readonly now: () => Date;
  /** False only when served over plain http on loopback: the cookie then lacks `Secure`. */
  readonly secureCookies: boolean;
  /** The client address for rate limiting (socket address, or the Lambda request context). */
  readonly clientAddress?: ((c: Context) => string) | undefined;
  /** Static files by name (`uplot.js`, `uplot.css`, `app.css`, `charts.js`); see `static-assets.ts`. */
  readonly assets: (name: string) => Promise<StaticAsset | null>;
}
