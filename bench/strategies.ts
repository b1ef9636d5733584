/** How often runCheck is called and how far ahead it may wait in-tick for a predicted stop. */
export interface Strategy {
  readonly name: string;
  readonly intervalMs: number;
  readonly horizonMs: number;
  /** Why this strategy is in the comparison. */
  readonly note: string;
}

export const STOPWATT: Strategy = {
  name: 'stopwatt 60 s + wait',
  intervalMs: 60_000,
  horizonMs: 60_000,
  note: 'the real runCheck at the default rate(1 minute), horizon 60 s (predicted in-tick stop)',
};

export const BASELINES: readonly Strategy[] = [
  {
    name: 'poll 30 s',
    intervalMs: 30_000,
    horizonMs: 0,
    note: 'Home Assistant integrations (30 s scan interval)',
  },
  { name: 'poll 60 s', intervalMs: 60_000, horizonMs: 0, note: 'cron script, every minute' },
  { name: 'poll 300 s', intervalMs: 300_000, horizonMs: 0, note: 'cron script, every 5 minutes' },
];

export const STRATEGIES: readonly Strategy[] = [STOPWATT, ...BASELINES];
