/** Wall-clock helpers for an IANA time zone, built on Intl only (no dependencies). */

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function wallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. In a DST gap
 * the result is shifted forward by the gap; in an overlap the earlier instant is returned.
 */
export function instantOf(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): Date {
  return instantsOf(local, timeZone)[0] ?? new Date(Number.NaN);
}

/**
 * Every instant at which the wall clock in `timeZone` shows the given local time, earliest first:
 * one normally, two in a DST overlap, and in a gap one (the requested time moved forward by the gap).
 */
function instantsOf(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): Date[] {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const candidates = [
    naive - zoneOffsetMs(new Date(naive - 12 * 3_600_000), timeZone),
    naive - zoneOffsetMs(new Date(naive + 12 * 3_600_000), timeZone),
  ].sort((a, b) => a - b);
  const matching = [...new Set(candidates)].filter((t) => {
    const w = wallTime(new Date(t), timeZone);
    return w.hour === local.hour && w.minute === local.minute && w.day === local.day;
  });
  // In a gap no candidate matches: the later one is the requested time moved forward by the gap.
  if (matching.length > 0) return matching.map((t) => new Date(t));
  return [new Date(candidates[1] ?? naive)];
}

/** Parses `HH:MM` (24 h). */
export function parseClock(text: string): { hour: number; minute: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) return null;
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** The first instant at or after `from` at which the wall clock in `timeZone` reads `clock`. */
export function nextOccurrence(from: Date, clock: { hour: number; minute: number }, timeZone: string): Date {
  const w = wallTime(from, timeZone);
  for (let dayOffset = 0; dayOffset < 3; dayOffset++) {
    const date = new Date(Date.UTC(w.year, w.month - 1, w.day + dayOffset));
    const candidates = instantsOf(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: clock.hour,
        minute: clock.minute,
      },
      timeZone,
    );
    // In an autumn overlap the wall clock shows the time twice: the second pass counts too.
    const candidate = candidates.find((c) => c.getTime() >= from.getTime());
    if (candidate) return candidate;
  }
  throw new RangeError(`no occurrence of ${clock.hour}:${clock.minute} in ${timeZone}`);
}

/** `HH:MM` (or `HH:MM:SS`) on the wall clock of `timeZone`, labelled with the zone: `07:00 Europe/Copenhagen`. */
export function formatLocalTime(
  instant: Date,
  timeZone: string,
  options: { seconds?: boolean } = {},
): string {
  const w = wallTime(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(w.hour)}:${two(w.minute)}${options.seconds ? `:${two(w.second)}` : ''}`;
  return `${time} ${timeZone}`;
}

/** `YYYY-MM-DD HH:MM` on the wall clock of `timeZone` (no label: tables name the zone in the header). */
export function formatLocalDateTime(
  instant: Date,
  timeZone: string,
  options: { seconds?: boolean } = {},
): string {
  const w = wallTime(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const seconds = options.seconds ? `:${two(w.second)}` : '';
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}${seconds}`;
}
