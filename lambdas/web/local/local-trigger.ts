import type { TickTrigger } from '../ports.ts';

/** Lets the web app cut the serve loop's wait short, so a change is applied at once. */
export class LocalTickTrigger implements TickTrigger {
  #wake: (() => void) | null = null;

  async requestTick(): Promise<void> {
    this.#wake?.();
  }

  /** Sleeps `ms`, or less when a tick is requested or `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}
