import type { PeriodState } from './period-state.ts';

/**
 * Unit price the driver pays, from the period's spot component and tariff markup:
 * `price * spotFactor + markup * markupFactor + fixedPerKwh`. The default (spot * 1.25 + markup,
 * i.e. 25 % VAT on the spot part) is the best fit on captured Drivee data, not a certainty.
 */
export interface SessionPriceFormula {
  readonly spotFactor: number;
  readonly markupFactor: number;
  readonly fixedPerKwh: number;
}

export const DEFAULT_SESSION_PRICE_FORMULA: SessionPriceFormula = {
  spotFactor: 1.25,
  markupFactor: 1,
  fixedPerKwh: 0,
};

export function sessionUnitPrice(state: PeriodState, formula: SessionPriceFormula): number {
  return state.price * formula.spotFactor + state.markup * formula.markupFactor + formula.fixedPerKwh;
}
