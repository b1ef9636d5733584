/**
 * Parses AMPECO's `lastPeriod.state`, e.g. `charging@price|0.41486&markup|1`.
 * Grammar: `<charging|idle>@key|number(&key|number)*`; unknown keys are kept, not rejected.
 * Null when `price` is missing or when `price` or `markup` is not a number (`markup` absent reads as 0).
 */
export interface PeriodState {
  readonly phase: string;
  readonly price: number;
  readonly markup: number;
  readonly extra: Readonly<Record<string, number>>;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

export function parsePeriodState(state: string): PeriodState | null {
  const at = state.indexOf('@');
  if (at <= 0) return null;
  const phase = state.slice(0, at).trim();
  const values: Record<string, number> = {};
  for (const pair of state.slice(at + 1).split('&')) {
    const bar = pair.indexOf('|');
    if (bar <= 0) continue;
    const key = pair.slice(0, bar).trim();
    const raw = pair.slice(bar + 1).trim();
    if (!NUMBER.test(raw)) {
      // An unreadable price or markup makes the unit price unknown; reading it as 0 would look cheap.
      if (key === 'price' || key === 'markup') return null;
      continue;
    }
    values[key] = Number(raw);
  }
  const { price, markup, ...extra } = values;
  if (price === undefined || !Number.isFinite(price)) return null;
  return { phase, price, markup: markup ?? 0, extra };
}
