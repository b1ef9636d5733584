import { parsePeriodState } from './period-state.ts';
import type { Session } from './session.ts';
import { type SessionPriceFormula, sessionUnitPrice } from './session-price.ts';

/** One observation of a session, in the units the rules use. */
export interface Snapshot {
  readonly sessionId: string;
  readonly status: string;
  readonly chargingState: string | null;
  readonly observedAt: Date;
  readonly startedAt: Date | null;
  readonly energyKwh: number;
  /** null when the API did not report power. */
  readonly powerKw: number | null;
  /** Session cost so far in `currency` (AMPECO `totalAmount`); null when unknown. */
  readonly cost: number | null;
  readonly currency: string | null;
  /** Unit price from `lastPeriod.state` via the formula; null when absent or unparseable. */
  readonly sessionPricePerKwh: number | null;
}

export function toSnapshot(session: Session, observedAt: Date, formula: SessionPriceFormula): Snapshot {
  const state = session.lastPeriod ? parsePeriodState(session.lastPeriod.state) : null;
  const unit = state ? sessionUnitPrice(state, formula) : null;
  return {
    sessionId: session.id,
    status: session.status,
    chargingState: session.chargingState,
    observedAt,
    startedAt: session.startedAt,
    energyKwh: session.energyWh / 1000,
    powerKw: session.powerW === null ? null : session.powerW / 1000,
    cost: session.amount,
    currency: session.currency,
    sessionPricePerKwh: unit !== null && Number.isFinite(unit) ? unit : null,
  };
}
