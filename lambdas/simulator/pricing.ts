import { isoMicros } from './http-util.ts';

/** A price, constant or varying with sim time (DKK/kWh). */
export type Price = number | ((atMs: number) => number);

/** Danish VAT, applied to the spot price (the markup is quoted with VAT). */
export const VAT_FACTOR = 1.25;

export function priceAt(price: Price, atMs: number): number {
  return typeof price === 'function' ? price(atMs) : price;
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** The session's `lastPeriod`: one open period carrying the price state and the cost so far. */
export function lastPeriodJson(period: {
  startedAtMs: number;
  charging: boolean;
  spotPrice: number;
  markup: number;
  cost: number;
}): Record<string, unknown> {
  return {
    startedAt: isoMicros(period.startedAtMs),
    stoppedAt: null,
    state: `${period.charging ? 'charging' : 'idle'}@price|${period.spotPrice}&markup|${period.markup}`,
    durationInSeconds: null,
    amount: round(period.cost, 5),
    graceTimeEnd: null,
    freeEnergyWh: 0,
    maxAllowanceWh: 0,
  };
}
