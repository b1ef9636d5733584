import type { SignInAttempts } from '../ports.ts';

/** Failed sign-in attempts in memory: enough for one `stopwatt serve` process. */
export class MemorySignInAttempts implements SignInAttempts {
  readonly #failures = new Map<string, number[]>();

  async failures(client: string, since: Date): Promise<number> {
    const kept = (this.#failures.get(client) ?? []).filter((t) => t >= since.getTime());
    this.#failures.set(client, kept);
    return kept.length;
  }

  async recordFailure(client: string, at: Date): Promise<void> {
    this.#failures.set(client, [...(this.#failures.get(client) ?? []), at.getTime()]);
  }
}
