import * as z from 'zod/mini';
import { energyAt } from '../prediction.ts';
import { nextPriceCrossing } from '../prices.ts';
import { fmt, type StopRule } from './stop-rule.ts';

const nonNegative = z.optional(z.number().check(z.nonnegative()));

/**
 * End while the unit price is above a limit, once at least `minEnergyKwh` (default 0) has been
 * delivered. An unknown or unparseable price never ends a session.
 */
export const priceRule = {
  reason: 'price',
  onceOnly: false,
  fields: {
    maxPricePerKwh: nonNegative.check(
      z.describe('End when the unit price (currency per kWh) is above this.'),
    ),
    minEnergyKwh: nonNegative.check(z.describe('The price rule never ends a session below this many kWh.')),
  },
  flags: [
    {
      name: 'max-price',
      field: 'maxPricePerKwh',
      value: 'non-negative',
      placeholder: 'X',
      help: 'end when the unit price is above X (currency/kWh)',
    },
    {
      name: 'min-energy-kwh',
      field: 'minEnergyKwh',
      value: 'non-negative',
      placeholder: 'N',
      help: 'the price rule never ends a session below N kWh',
    },
  ],
  isSet: (settings) => settings.maxPricePerKwh !== undefined,
  judge: ({ snapshot, rules, now, price, forecast, energy }) => {
    const limit = rules.maxPricePerKwh ?? Number.POSITIVE_INFINITY;
    const minEnergy = rules.minEnergyKwh ?? 0;
    const crossing = forecast && forecast.length > 0 ? nextPriceCrossing(forecast, now, limit) : null;
    const wake = crossing && energyAt(snapshot, crossing) >= minEnergy ? crossing : null;
    if (price === null || !Number.isFinite(price.perKwh))
      return { holds: false, note: 'price unknown: the price rule cannot end this session', wake };
    // Spot prices are computed in DKK (Energi Data Service); session prices are in the tariff's currency.
    const currency = price.source === 'spot' ? 'DKK' : snapshot.currency;
    const unit = currency ? ` ${currency}/kWh` : '/kWh';
    if (price.perKwh <= limit)
      return { holds: false, note: `price ${fmt(price.perKwh, 4)} of max ${fmt(limit, 4)}${unit}`, wake };
    if (energy.kwh >= minEnergy) {
      return {
        holds: true,
        detail: `price ${fmt(price.perKwh, 4)}${unit} (${price.source}) is above the limit of ${fmt(limit, 4)}${unit}`,
      };
    }
    return {
      holds: false,
      note: `price ${fmt(price.perKwh, 4)} above limit, but energy is below the minimum ${fmt(minEnergy)} kWh`,
      wake,
    };
  },
} as const satisfies StopRule<'price'>;
