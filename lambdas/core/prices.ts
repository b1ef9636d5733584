/** A price slot in consumer terms (what the driver pays per kWh), UTC-bounded. */
export interface PriceSlot {
  readonly start: Date;
  readonly end: Date;
  readonly perKwh: number;
}

/** The unit price in force now, and where it came from. */
export interface PriceReading {
  readonly perKwh: number;
  readonly source: 'session' | 'spot';
  /** When this price stops applying (slot end), when known. */
  readonly validUntil?: Date | undefined;
}

export function slotAt(slots: readonly PriceSlot[], at: Date): PriceSlot | null {
  const t = at.getTime();
  return slots.find((s) => s.start.getTime() <= t && t < s.end.getTime()) ?? null;
}

/**
 * The first instant after `from` at which the price rises above `maxPerKwh`, scanning
 * contiguous slots only: a gap in the data ends the forecast (unknown is not "expensive").
 */
export function nextPriceCrossing(slots: readonly PriceSlot[], from: Date, maxPerKwh: number): Date | null {
  const sorted = [...slots].sort((a, b) => a.start.getTime() - b.start.getTime());
  let cursor = from.getTime();
  for (const slot of sorted) {
    if (slot.end.getTime() <= cursor) continue;
    if (slot.start.getTime() > cursor) return null;
    if (slot.perKwh > maxPerKwh) return new Date(Math.max(slot.start.getTime(), from.getTime()));
    cursor = slot.end.getTime();
  }
  return null;
}
