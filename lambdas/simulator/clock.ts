/** Time source of the simulator: epoch milliseconds. */
export interface SimClock {
  now(): number;
  /** Simulated ms per real ms (1 = real time; 0 = moves only when told). */
  readonly speed: number;
}

/** A clock that only moves when told to. */
export class ManualClock implements SimClock {
  readonly speed = 0;
  private current: number;

  constructor(startMs: number = Date.now()) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

/** Wall-clock time (Date.now). */
export function realClock(): SimClock {
  return { now: () => Date.now(), speed: 1 };
}

/** Simulated time running `speed` times faster than real time, starting at `startMs`. */
export function acceleratedClock(speed: number, startMs: number = Date.now()): SimClock {
  const realStart = Date.now();
  return { now: () => startMs + (Date.now() - realStart) * speed, speed };
}
