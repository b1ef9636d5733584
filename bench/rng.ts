/** Seeded PRNG (mulberry32): the same seed always gives the same stream. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal (Box-Muller). */
  gaussian(): number {
    const u = Math.max(this.next(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An independent stream derived from this seed and a label, for per-session streams. */
  static derive(seed: number, ...labels: number[]): Rng {
    let h = seed >>> 0;
    for (const label of labels) h = Math.imul(h ^ (label + 0x9e3779b9), 0x85ebca6b) >>> 0;
    return new Rng(h ^ (h >>> 13));
  }
}
