import { type Decision, decide } from '../core/decide.ts';
import type { PriceReading } from '../core/prices.ts';
import type { Session } from '../core/session.ts';
import { type Snapshot, toSnapshot } from '../core/snapshot.ts';
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
 * prediction); `energyToleranceKwh` counts energy this close below the target as reached.
 */
export async function judge(
  deps: CheckDeps,
  session: Session,
  now: Date,
  previous: Snapshot | null,
  energyToleranceKwh?: number,
): Promise<Judgement> {
  const { rules } = deps;
  const snapshot = toSnapshot(session, now, rules.sessionPriceFormula);
  const { price, forecast } = await readPrice(deps, snapshot, now);
  const decision = decide({ snapshot, rules, now, price, forecast, previous, energyToleranceKwh });
  return { snapshot, decision, price };
}
