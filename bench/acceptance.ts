import type { EnergyBlock, EnergyRow } from './experiments.ts';
import { meterLabel } from './report.ts';
import { round } from './stats.ts';

/** The precision targets of the real-meter model, checked on the numbers of one run. */
export const TARGETS = {
  /** Median |true overshoot| at 22 kW on the 60 s meter, kWh. */
  medianAbs60sKwh: 0.02,
  /** 60 s polling's median |true overshoot| over stopwatt's, at least. */
  betterThanPoll60: 10,
  /** Median |true overshoot| at 22 kW on the per-1-kWh meter, kWh. */
  medianAbsPerKwhKwh: 0.05,
  /** Calls per charged hour over 60 s polling's, at most (+10 %). */
  callsOverPoll60: 1.1,
} as const;

export interface Check {
  readonly what: string;
  readonly value: number;
  readonly limit: string;
  readonly holds: boolean;
}

const row = (block: EnergyBlock | undefined, strategy: string): EnergyRow | undefined =>
  block?.rows.find((r) => r.strategy === strategy);

const isMeter = (block: EnergyBlock, label: string) => meterLabel(block.meter) === label;

/**
 * Every target, computed from the blocks (a missing block is a failed check, never a pass).
 * Calls are checked in every block of the main table.
 */
export function acceptanceChecks(
  main: readonly EnergyBlock[],
  sensitivity: readonly EnergyBlock[],
  stopwatt: string,
): Check[] {
  const at22 = main.find((b) => b.powerKw === 22 && isMeter(b, '60 s'));
  const perKwh = sensitivity.find((b) => b.powerKw === 22 && isMeter(b, '1 kWh'));
  const sw = row(at22, stopwatt)?.medianAbsKwh ?? Number.NaN;
  const poll60 = row(at22, 'poll 60 s')?.medianAbsKwh ?? Number.NaN;
  const swPerKwh = row(perKwh, stopwatt)?.medianAbsKwh ?? Number.NaN;
  const checks: Check[] = [
    {
      what: '22 kW, 60 s meter: stopwatt median |true overshoot| (kWh)',
      value: round(sw, 4),
      limit: `<= ${TARGETS.medianAbs60sKwh}`,
      holds: sw <= TARGETS.medianAbs60sKwh,
    },
    {
      what: "22 kW, 60 s meter: 60 s polling's median |true overshoot| / stopwatt's",
      value: round(poll60 / sw, 1),
      limit: `>= ${TARGETS.betterThanPoll60}x`,
      holds: poll60 >= TARGETS.betterThanPoll60 * sw,
    },
    {
      what: '22 kW, 1 kWh meter: stopwatt median |true overshoot| (kWh)',
      value: round(swPerKwh, 4),
      limit: `<= ${TARGETS.medianAbsPerKwhKwh}`,
      holds: swPerKwh <= TARGETS.medianAbsPerKwhKwh,
    },
  ];
  for (const block of main) {
    const calls = row(block, stopwatt)?.stats.callsPerChargedHour ?? Number.NaN;
    const base = row(block, 'poll 60 s')?.stats.callsPerChargedHour ?? Number.NaN;
    checks.push({
      what: `${block.powerKw} kW, ${meterLabel(block.meter)} meter: stopwatt calls/charged h vs 60 s polling (%)`,
      value: round((calls / base - 1) * 100, 2),
      limit: `<= +${Math.round((TARGETS.callsOverPoll60 - 1) * 100)} %`,
      holds: calls <= TARGETS.callsOverPoll60 * base,
    });
  }
  return checks;
}
