/**
 * Spot price (DKK per MWh, as Energi Data Service publishes it) to consumer price (DKK per kWh,
 * what the driver pays). Pure: no I/O, no clock.
 */
import { instantOf, parseClock, wallTime } from './local-time.ts';
import type { PriceSlot } from './prices.ts';
import type { Tariff } from './rules.ts';

/** One day-ahead slot as fetched: UTC bounds, DKK per MWh before tariffs and VAT (may be negative). */
export interface SpotSlot {
  readonly start: Date;
  readonly end: Date;
  readonly spotDkkPerMwh: number;
}

/** A consumer price slot that also carries the spot part it was computed from. */
export interface ConsumerPriceSlot extends PriceSlot {
  /** Spot price per kWh (DKK), before tariffs and VAT; the hourly average when averaging. */
  readonly spotPerKwh: number;
}

const MINUTE_MS = 60_000;
const QUARTER_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MINUTES = 24 * 60;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

interface ZoneRange {
  readonly from: number;
  readonly to: number;
  readonly perKwh: number;
}

/** Minutes after local midnight; `24:00` is accepted as the end of the day. */
function clockMinutes(text: string): number {
  if (text === '24:00') return DAY_MINUTES;
  const clock = parseClock(text);
  if (!clock) throw new RangeError(`invalid tariff zone time "${text}" (expected HH:MM)`);
  return clock.hour * 60 + clock.minute;
}

function zoneMatches(zone: ZoneRange, minuteOfDay: number): boolean {
  // from === to reads as "all day" (e.g. 00:00-00:00), not as an empty zone.
  if (zone.from === zone.to) return true;
  if (zone.from < zone.to) return zone.from <= minuteOfDay && minuteOfDay < zone.to;
  // Crosses midnight, e.g. 21:00-06:00.
  return minuteOfDay >= zone.from || minuteOfDay < zone.to;
}

/** The grid tariff of the first zone containing the local wall time of `start`; 0 when none does. */
function zoneTariff(zones: readonly ZoneRange[], start: Date, timeZone: string): number {
  if (zones.length === 0) return 0;
  const w = wallTime(start, timeZone);
  const minuteOfDay = w.hour * 60 + w.minute;
  return zones.find((zone) => zoneMatches(zone, minuteOfDay))?.perKwh ?? 0;
}

/** Sorted by start, one slot per start instant (the last one given wins). */
function normalise(spot: readonly SpotSlot[]): SpotSlot[] {
  const byStart = new Map<number, SpotSlot>();
  for (const slot of spot) byStart.set(slot.start.getTime(), slot);
  return [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * Averages the slots of each UTC hour into one hour slot, weighted by duration.
 * Only hours fully covered by their slots are averaged; an hour with a missing quarter is dropped,
 * because the hourly price the driver pays for it is unknown (unknown must not look cheap or
 * expensive). Slots that do not fit inside one UTC hour (already hourly or coarser) pass unchanged.
 * UTC hours are local hours in Denmark (whole-hour offsets), so this is also the local hour.
 */
function averageHourly(spot: readonly SpotSlot[]): SpotSlot[] {
  const hours = new Map<number, SpotSlot[]>();
  const out: SpotSlot[] = [];
  for (const slot of spot) {
    const hourStart = Math.floor(slot.start.getTime() / HOUR_MS) * HOUR_MS;
    if (slot.end.getTime() > hourStart + HOUR_MS) {
      out.push(slot);
      continue;
    }
    const group = hours.get(hourStart);
    if (group) group.push(slot);
    else hours.set(hourStart, [slot]);
  }
  for (const [hourStart, group] of hours) {
    let covered = 0;
    let weighted = 0;
    for (const slot of group) {
      const ms = slot.end.getTime() - slot.start.getTime();
      covered += ms;
      weighted += slot.spotDkkPerMwh * ms;
    }
    if (covered !== HOUR_MS) continue;
    out.push({
      start: new Date(hourStart),
      end: new Date(hourStart + HOUR_MS),
      spotDkkPerMwh: weighted / HOUR_MS,
    });
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * Consumer price per kWh for each spot slot:
 * `(spot/1000 + zoneTariff + flatPerKwh) * (1 + vatPercent/100)`.
 * Zones are matched on the local wall time (in `timeZone`) of the slot start, `from` inclusive,
 * `to` exclusive, crossing midnight when `to` <= `from`; the first matching zone wins.
 * Output is sorted by start and not rounded (rounding is for display).
 */
export function toConsumerSlots(
  spot: readonly SpotSlot[],
  tariff: Tariff,
  timeZone: string,
): ConsumerPriceSlot[] {
  const zones: ZoneRange[] = tariff.zones.map((zone) => ({
    from: clockMinutes(zone.from),
    to: clockMinutes(zone.to),
    perKwh: zone.perKwh,
  }));
  const vatFactor = 1 + tariff.vatPercent / 100;
  const sorted = normalise(spot);
  const slots = tariff.hourlyAverage ? averageHourly(sorted) : sorted;
  return slots.map((slot) => {
    const spotPerKwh = slot.spotDkkPerMwh / 1000;
    const perKwh = (spotPerKwh + zoneTariff(zones, slot.start, timeZone) + tariff.flatPerKwh) * vatFactor;
    return { start: slot.start, end: slot.end, perKwh, spotPerKwh };
  });
}

function parseDate(date: string): { year: number; month: number; day: number } {
  const m = DATE_PATTERN.exec(date);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (!m || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`invalid date "${date}" (expected YYYY-MM-DD)`);
  }
  return { year, month, day };
}

/** `YYYY-MM-DD` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The calendar date (`YYYY-MM-DD`) of `instant` on the wall clock of `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): string {
  const w = wallTime(instant, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** UTC bounds of a local calendar day: local midnight (inclusive) to the next local midnight (exclusive). */
export function dayBoundsUtc(date: string, timeZone: string): { start: Date; end: Date } {
  const { year, month, day } = parseDate(date);
  const next = parseDate(addDays(date, 1));
  return {
    start: instantOf({ year, month, day, hour: 0, minute: 0 }, timeZone),
    end: instantOf({ ...next, hour: 0, minute: 0 }, timeZone),
  };
}

/** Quarter-hours in a local day: 96, or 92 / 100 on the spring / autumn DST change days. */
export function expectedSlotCount(date: string, timeZone: string): number {
  const { start, end } = dayBoundsUtc(date, timeZone);
  return Math.round((end.getTime() - start.getTime()) / QUARTER_MS);
}
