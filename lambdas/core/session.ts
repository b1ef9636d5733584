/** A charging session as the domain sees it, already validated and converted at the edge. */
export interface Session {
  readonly id: string;
  /** `starting` | `active` | `stopping` | `finished`; other values are kept but never acted on. */
  readonly status: string;
  /** `eVConnected` | `charging` | `suspendedEV` | `suspendedEVSE` | null. */
  readonly chargingState: string | null;
  readonly startedAt: Date | null;
  readonly stoppedAt: Date | null;
  /**
   * Seconds from `startedAt` to the charger's last meter sample (AMPECO `duration`): the session
   * record changes only when the charger sends meter values. null when not reported.
   */
  readonly durationS?: number | null | undefined;
  /** Cumulative session energy in Wh (AMPECO `energy`). */
  readonly energyWh: number;
  /** Instantaneous power in W (AMPECO `power`); null when the API did not report it. */
  readonly powerW: number | null;
  /** What the driver would pay now, in major currency units (AMPECO `totalAmount`, floored at `minPrice`). */
  readonly amount: number | null;
  readonly currency: string | null;
  /** The current tariff period; absent right after start. */
  readonly lastPeriod: {
    readonly state: string;
    readonly amount: number | null;
    readonly startedAt: Date | null;
  } | null;
  readonly evseId: string | null;
}

export function isStoppingOrFinished(status: string): boolean {
  return status === 'stopping' || status === 'finished';
}
