import type { Session } from '../lambdas/core/session.ts';
import type { ChargingApi, EndOutcome } from '../lambdas/ports.ts';
import type { Rng } from './rng.ts';
import type { SimSession } from './sim-session.ts';
import type { VirtualClock } from './virtual-clock.ts';

export interface ApiCall {
  readonly kind: 'active' | 'get' | 'end';
  /** When the server handled it (virtual ms). */
  readonly at: number;
}

export interface SimApiOptions {
  /** Round trip per call; the server handles the request half-way. */
  readonly latencyMs: number;
  /** Each call's round trip is latencyMs ± up to this much (uniform, seeded). */
  readonly jitterMs: number;
  readonly rng: Rng;
  /** Withhold power and `duration`, as from a client that reads only `energy`. @default false */
  readonly rawEnergy?: boolean | undefined;
}

/** An in-memory AMPECO app API over one simulated session; counts every call. */
export class SimChargingApi implements ChargingApi {
  readonly calls: ApiCall[] = [];
  readonly #clock: VirtualClock;
  readonly #session: SimSession;
  readonly #options: SimApiOptions;

  constructor(clock: VirtualClock, session: SimSession, options: SimApiOptions) {
    this.#clock = clock;
    this.#session = session;
    this.#options = options;
  }

  openSessions(): Promise<Session[]> {
    return this.#call('active', (t) => {
      const s = this.#session;
      return t < s.startMs || s.statusAt(t) === 'finished' ? [] : [this.#view(t)];
    });
  }

  getSession(sessionId: string): Promise<Session | null> {
    return this.#call('get', (t) => (sessionId === this.#session.id ? this.#view(t) : null));
  }

  endSession(sessionId: string): Promise<EndOutcome> {
    return this.#call('end', (t): EndOutcome => {
      const s = this.#session;
      if (sessionId !== s.id || s.statusAt(t) === 'finished') return { kind: 'not-found' };
      s.receiveEnd(t);
      return { kind: 'accepted', session: this.#view(t) };
    });
  }

  #view(t: number): Session {
    const view = this.#session.view(t);
    return this.#options.rawEnergy ? { ...view, powerW: null, durationS: null } : view;
  }

  /**
   * The server's answer is computed for the instant half-way through the round trip. Every piece
   * of session state is a function of time, so computing it up front is exact and costs one sleep.
   */
  async #call<T>(kind: ApiCall['kind'], serve: (at: number) => T): Promise<T> {
    const { latencyMs, jitterMs, rng } = this.#options;
    const roundTrip = Math.max(1, latencyMs + (jitterMs > 0 ? rng.between(-jitterMs, jitterMs) : 0));
    const at = this.#clock.ms + roundTrip / 2;
    this.calls.push({ kind, at });
    const result = serve(at);
    await this.#clock.sleep(roundTrip);
    return result;
  }
}
