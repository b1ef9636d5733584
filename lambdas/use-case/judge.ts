import { type Decision, decide } from '../core/decide.ts';
import type { PriceReading } from '../core/prices.ts';
import type { Session } from '../core/session.ts';
import { type Snapshot, toSnapshot, withCadence } from '../core/snapshot.ts';
import type { CheckDeps } from './check-deps.ts';
import { readPrice } from './prices.ts';

/** A session as seen at one instant, and what the rules say about it. */
export interface Judgement {
  readonly snapshot: Snapshot;
  readonly decision: Decision;
  readonly price: PriceReading | null;
}

/**
 * Decides on one reading of the session. `previous` is the last reading before it (for the
 * prediction and the meter cadence); `energyLeadMs` is how long a stop sent now takes to land, so
 * energy is judged as estimated at that instant, aimed earlier by the learned stop latency.
 */
export async function judge(
  deps: CheckDeps,
  session: Session,
  now: Date,
  previous: Snapshot | null,
  energyLeadMs: number,
): Promise<Judgement> {
  const { rules } = deps;
  const snapshot = withCadence(toSnapshot(session, now, rules.sessionPriceFormula), previous);
  if (snapshot.doubts && snapshot.doubts.length > 0)
    deps.warn?.(
      `session ${snapshot.sessionId}: impossible reading (${snapshot.doubts.join('; ')}); no stop on it`,
    );
  const { price, forecast } = await readPrice(deps, snapshot, now);
  const { stopLatencyMs } = deps;
  const decision = decide({ snapshot, rules, now, price, forecast, previous, energyLeadMs, stopLatencyMs });
  return { snapshot, decision, price };
}
