/** How often runCheck is called and how far ahead it may wait in-tick for a predicted stop. */
export interface Strategy {
  readonly name: string;
  readonly intervalMs: number;
  readonly horizonMs: number;
  /**
   * The strategy reads only the API's `energy` (as a script comparing it with the target):
   * power and `duration` are withheld, so nothing is extrapolated. @default false
   */
  readonly rawEnergy?: boolean;
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

/** A script that compares the raw `energy` with the target every minute (the main 22 kW block). */
export const RAW_POLL_60: Strategy = {
  name: 'poll 60 s, raw energy',
  intervalMs: 60_000,
  horizonMs: 0,
  rawEnergy: true,
  note: 'cron script every minute comparing the API energy (last meter value) with the target',
};
