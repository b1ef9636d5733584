import { z } from 'zod';
import { predictEnergyReached } from '../prediction.ts';
import { fmt, type StopRule } from './stop-rule.ts';

/** End once the session has delivered the target energy. */
export const energyRule = {
  reason: 'energy',
  onceOnly: false,
  fields: {
    energyKwh: z
      .number()
      .finite()
      .positive()
      .optional()
      .describe('End when the session has delivered this many kWh.'),
  },
  flags: [
    {
      name: 'energy-kwh',
      field: 'energyKwh',
      value: 'positive',
      placeholder: 'N',
      help: 'end when the session has delivered N kWh',
    },
  ],
  isSet: (settings) => settings.energyKwh !== undefined,
  judge: ({ snapshot, rules, now, previous, energyKwh, energyToleranceKwh }) => {
    const target = rules.energyKwh ?? Number.POSITIVE_INFINITY;
    if (energyKwh >= target - energyToleranceKwh) {
      return {
        holds: true,
        detail: `energy ${fmt(energyKwh)} kWh reached the target of ${fmt(target)} kWh`,
      };
    }
    return {
      holds: false,
      note: `energy ${fmt(energyKwh)} of ${fmt(target)} kWh`,
      wake: predictEnergyReached(snapshot, target, now, previous),
    };
  },
} as const satisfies StopRule<'energy'>;
