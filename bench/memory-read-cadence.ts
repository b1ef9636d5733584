import type { CadenceState, ReadCadence } from '../lambdas/ports.ts';

/**
 * The DynamoDB read cadence's semantics in memory (`adapters/dynamodb/read-cadence.ts`): the same
 * claim condition (no read yet, or open, or the last read at least the interval old), returning
 * the previous state; `release` marks the state open. The bench runs one invocation at a time, so
 * the conditional write's atomicity (tested against DynamoDB Local) is not what is measured here.
 */
export class MemoryReadCadence implements ReadCadence {
  #readAt: number | null = null;
  #state: CadenceState = { open: false, homeChargers: null, learnedAt: null };

  async claim(now: Date, idleIntervalMs: number): Promise<CadenceState | null> {
    const due = this.#readAt === null || this.#state.open || this.#readAt <= now.getTime() - idleIntervalMs;
    if (!due) return null;
    this.#readAt = now.getTime();
    return this.#state;
  }

  async record(state: CadenceState): Promise<void> {
    this.#state = state;
  }

  async release(): Promise<void> {
    this.#readAt = 0;
    this.#state = { ...this.#state, open: true };
  }
}
