/** Bounds outside which a reading cannot be physical: such data never ends a session. */

/** Faster than any charger (HPC tops out around 350-400 kW). */
export const MAX_POWER_KW = 400;
/** More than any vehicle battery; bounds energy when the elapsed time is unknown. */
const MAX_SESSION_KWH = 2_000;
/** Currency per kWh no tariff charges, for bounding the session cost. */
const MAX_COST_PER_KWH = 100;
/** Headroom for rounding and meters that report in steps (kWh). */
const SLACK_KWH = 0.5;

export interface Readings {
  readonly energyKwh: number;
  readonly powerKw: number | null;
  readonly cost: number | null;
  /** Seconds of charging that produced `energyKwh`; null when unknown. */
  readonly elapsedS: number | null;
}

/** What is impossible about the readings, one phrase each; empty when they are plausible. */
export function impossibleReadings(r: Readings): string[] {
  const doubts: string[] = [];
  if (!Number.isFinite(r.energyKwh) || r.energyKwh < 0) doubts.push(`energy ${r.energyKwh} kWh`);
  else {
    const hours = r.elapsedS !== null && r.elapsedS >= 0 ? r.elapsedS / 3600 : null;
    const bound = Math.min(
      MAX_SESSION_KWH,
      hours === null ? MAX_SESSION_KWH : MAX_POWER_KW * hours + SLACK_KWH,
    );
    if (r.energyKwh > bound)
      doubts.push(`energy ${r.energyKwh} kWh is more than ${MAX_POWER_KW} kW could deliver in the session`);
  }
  if (r.powerKw !== null && (!Number.isFinite(r.powerKw) || r.powerKw < 0 || r.powerKw > MAX_POWER_KW))
    doubts.push(`power ${r.powerKw} kW`);
  if (r.cost !== null) {
    const bound = 1_000 + MAX_COST_PER_KWH * (Number.isFinite(r.energyKwh) ? Math.max(0, r.energyKwh) : 0);
    if (!Number.isFinite(r.cost) || r.cost < 0 || r.cost > bound) doubts.push(`cost ${r.cost}`);
  }
  return doubts;
}
