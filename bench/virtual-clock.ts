import type { Clock } from '../lambdas/ports.ts';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A Clock on virtual time: `sleep` never waits for real, it parks the caller until `advance`
 * moves time past its deadline. Work runs as tasks (`spawn`); each task is one sequential chain
 * of awaits (like one runCheck). The clock counts runnable tasks, so the driver knows without
 * polling the event loop when every task is asleep or done and time may move on.
 *
 * Only valid while tasks block on nothing but this clock (in-memory adapters, no real I/O, no
 * parallel sleeps within one task); a violation throws instead of silently mis-timing.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #running = 0;
  #onIdle: (() => void) | null = null;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): Date {
    return new Date(this.#now);
  }

  get ms(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer: Timer = { at: this.#now + ms, seq: this.#seq++, resolve };
      // Few timers are ever pending (one per in-flight tick): sorted insert is enough.
      let i = this.#timers.length;
      while (i > 0) {
        const prev = this.#timers[i - 1];
        if (prev === undefined || prev.at <= timer.at) break;
        i--;
      }
      this.#timers.splice(i, 0, timer);
      this.#block();
    });
  }

  /** Starts a task; it counts as runnable until it sleeps or settles. */
  spawn<T>(work: () => Promise<T>): Promise<T> {
    this.#running++;
    let promise: Promise<T>;
    try {
      promise = work();
    } catch (error) {
      promise = Promise.reject(error);
    }
    return promise.finally(() => this.#block());
  }

  /** When the earliest sleeper wakes, or null when nobody sleeps. */
  nextWake(): number | null {
    return this.#timers[0]?.at ?? null;
  }

  /** Resolves once every task is asleep or done. */
  quiescent(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  /** Moves time to `to` (never backwards), waking the sleepers due by then one at a time, in order. */
  async advance(to: number): Promise<void> {
    for (;;) {
      const first = this.#timers[0];
      if (first === undefined || first.at > to) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, first.at);
      this.#running++;
      first.resolve();
      await this.quiescent();
    }
    this.#now = Math.max(this.#now, to);
  }

  /** Runs one task to completion, moving time as it sleeps (a single call outside a schedule). */
  async drive<T>(work: () => Promise<T>): Promise<T> {
    let done = false;
    // `done` is set inside the task, so it is visible as soon as the clock sees the task finish.
    const task = this.spawn(async () => {
      try {
        return await work();
      } finally {
        done = true;
      }
    });
    for (;;) {
      await this.quiescent();
      if (done) break;
      const wake = this.nextWake();
      if (wake === null) throw new Error('virtual clock: a task is pending but nothing sleeps');
      await this.advance(wake);
    }
    return task;
  }

  #block(): void {
    this.#running--;
    if (this.#running < 0) throw new Error('virtual clock: a task slept twice at once or settled twice');
    if (this.#running === 0) {
      const idle = this.#onIdle;
      this.#onIdle = null;
      idle?.();
    }
  }
}
