/** Local date/time text in the rules' time zone. */
export function localTime(at: Date, timeZone: string, withDate = false): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(withDate ? { weekday: 'short', day: 'numeric', month: 'short' } : {}),
  }).format(at);
}

export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** `12.34 DKK`, or `–` when unknown. */
export function money(value: number | null | undefined, currency: string | null): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(2)} ${currency ?? ''}`.trim();
}

/** "3 min ago" style age. */
export function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
