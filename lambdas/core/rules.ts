import type { SessionPriceFormula } from './session-price.ts';

export type PriceSourceName = 'session' | 'spot';

/**
 * Why a session was ended, in precedence order (the first rule that holds is the reason).
 * `manual` appears only when a stop-now was requested (`once.stopNow`).
 */
export const STOP_REASONS = ['manual', 'energy', 'cost', 'deadline', 'price'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** The settings the stop rules read (see `stop-rules/table.ts`); every one is optional. */
export interface RuleSettings {
  /** End when the session has delivered at least this many kWh. */
  readonly energyKwh?: number | undefined;
  /** End when the unit price (currency/kWh) is above this. */
  readonly maxPricePerKwh?: number | undefined;
  /** The price rule never ends a session that has delivered less than this (kWh). */
  readonly minEnergyKwh?: number | undefined;
  /** End when the session's cost (currency) reaches this. */
  readonly maxCost?: number | undefined;
  /** End at the first `HH:MM` (in `timezone`) after the session started. */
  readonly stopBy?: string | undefined;
  /** End the session now (reason `manual`). Set only through `once`. */
  readonly stopNow?: boolean | undefined;
  /** No rule ends the session. Set only through `once`. */
  readonly leaveAlone?: boolean | undefined;
}

/**
 * Stop rules. Every rule is optional; an unset rule never stops anything.
 * Any rule that holds ends the session (see `decide()` for precedence).
 */
export interface Rules extends RuleSettings {
  readonly timezone: string;
  readonly priceSource: PriceSourceName;
  /** Bidding zone for the `spot` source. */
  readonly priceArea: 'DK1' | 'DK2';
  readonly tariff: Tariff;
  readonly sessionPriceFormula: SessionPriceFormula;
  /** Decide and log, but never send a stop. */
  readonly dryRun: boolean;
  /**
   * Minutes between API reads while no session is open (0: every tick); beats the deploy config's
   * and `watch`'s default. A manual check always reads.
   */
  readonly idleIntervalMinutes?: number | undefined;
  /**
   * While no session is open, an account with home chargers is also asked for a session at a
   * public charger: one more request per idle read.
   */
  readonly idlePublicCharging?: boolean | undefined;
  /** A one-session override, merged over the rules for that session only (see `applyOnce`). */
  readonly once?: OnceOverride | undefined;
}

/** Rule settings for one session; `leaveAlone` and `stopNow` exist only here. */
export interface OnceOverride extends RuleSettings {
  /** Bound on first sight of a session; absent until then. */
  readonly sessionId?: string | undefined;
}

/** Consumer price model for spot prices: `(spot + zone + flatPerKwh) * (1 + vatPercent/100)` per kWh. */
export interface Tariff {
  readonly flatPerKwh: number;
  readonly zones: readonly { readonly from: string; readonly to: string; readonly perKwh: number }[];
  readonly vatPercent: number;
  readonly hourlyAverage: boolean;
}
