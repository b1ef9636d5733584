import * as z from 'zod/mini';
import { formatLocalTime } from '../local-time.ts';
import { predictEnergyReached } from '../prediction.ts';
import { fmt, type StopRule } from './stop-rule.ts';

/**
 * AMPECO reports energy in whole Wh (truncated): a reading up to 1 Wh short of the target may
 * already have reached it, and waiting for the next whole Wh would cost a re-read.
 */
export const ENERGY_RESOLUTION_KWH = 0.001;

/** End once the session has delivered the target energy. */
export const energyRule = {
  reason: 'energy',
  onceOnly: false,
  fields: {
    energyKwh: z
      .optional(z.number().check(z.positive()))
      .check(z.describe('End when the session has delivered this many kWh.')),
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
  judge: ({ snapshot, rules, now, previous, energy, stopLatencyMs }) => {
    const target = rules.energyKwh ?? Number.POSITIVE_INFINITY;
    const estimated = energy.basis === 'estimate' && fmt(energy.kwh) !== fmt(snapshot.energyKwh);
    const early = stopLatencyMs > 0 ? `, ${fmt(stopLatencyMs / 1000, 1)} s early for the stop latency` : '';
    const shown = estimated
      ? `${fmt(energy.kwh)} kWh (estimated; meter ${fmt(snapshot.energyKwh)} kWh at ${formatLocalTime(energy.from, rules.timezone, { seconds: true })}${early})`
      : `${fmt(energy.kwh)} kWh`;
    if (energy.kwh >= target - ENERGY_RESOLUTION_KWH)
      return { holds: true, detail: `energy ${shown} reached the target of ${fmt(target)} kWh` };
    return {
      holds: false,
      note: `energy ${shown} of ${fmt(target)} kWh`,
      wake: predictEnergyReached(snapshot, target, now, previous),
    };
  },
} as const satisfies StopRule<'energy'>;
