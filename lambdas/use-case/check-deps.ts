import type { Rules } from '../core/rules.ts';
import type {
  ChargingApi,
  Clock,
  ConditionLog,
  Notifier,
  PriceSource,
  RulesStore,
  SessionLog,
} from '../ports.ts';

export interface CheckDeps {
  readonly api: ChargingApi;
  readonly log: SessionLog;
  readonly rules: Rules;
  readonly clock: Clock;
  /** Required when `rules.priceSource` is `spot`. */
  readonly prices?: PriceSource | undefined;
  readonly notifier?: Notifier | undefined;
  /**
   * Names this process or invocation in stop claims. Must differ between runners that can tick
   * the same session at the same time: the log tells a retried claim from another runner's by it.
   */
  readonly instanceId: string;
  /**
   * How far ahead a predicted stop may be waited for inside this tick (normally the schedule
   * interval). 0 disables the precise wait. @default 0
   */
  readonly horizonMs?: number | undefined;
  /**
   * After a stop, keep re-reading the session until it is finished, within the horizon (the
   * scheduled function, `watch`, `serve`); a one-shot `check` returns right after the stop.
   * @default false
   */
  readonly followStops?: boolean | undefined;
  /** A stop accepted but not taking effect is re-sent after this long. @default 120000 */
  readonly resendAfterMs?: number | undefined;
  /** Stop attempts per session before giving up and reporting. @default 3 */
  readonly maxAttempts?: number | undefined;
  readonly warn?: ((message: string) => void) | undefined;
  /** Remembers ongoing problems (price feed outage) so they are notified only once they last. */
  readonly conditions?: ConditionLog | undefined;
  /** Where the stored rules live, to bind and clear a one-session override (`rules.once`). */
  readonly rulesStore?: RulesStore | undefined;
  /**
   * The account's learned stop latency (ms): how long its chargers keep delivering after `/end`.
   * runCheck reads it from the log at the start of a tick; stops aim this much earlier.
   */
  readonly stopLatencyMs?: number | undefined;
}
