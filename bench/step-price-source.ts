import type { PriceReading, PriceSlot } from '../lambdas/core/prices.ts';
import type { PriceSource } from '../lambdas/ports.ts';

const SLOT_MS = 15 * 60_000;

/** Bench-only spot prices: 15-minute slots at `before` per kWh until `boundaryMs`, `after` from then on. */
export class StepPriceSource implements PriceSource {
  readonly #boundaryMs: number;
  readonly #before: number;
  readonly #after: number;
  /** How far ahead `forecast` lists slots (day-ahead prices reach at most ~35 h). */
  readonly #aheadMs: number;

  constructor(options: { boundaryMs: number; before: number; after: number; aheadMs?: number }) {
    if (options.boundaryMs % SLOT_MS !== 0) throw new Error('the price boundary must be a slot boundary');
    this.#boundaryMs = options.boundaryMs;
    this.#before = options.before;
    this.#after = options.after;
    this.#aheadMs = options.aheadMs ?? 12 * 3_600_000;
  }

  async current(at: Date): Promise<PriceReading | null> {
    const start = Math.floor(at.getTime() / SLOT_MS) * SLOT_MS;
    return { perKwh: this.#priceAt(start), source: 'spot', validUntil: new Date(start + SLOT_MS) };
  }

  async forecast(from: Date): Promise<PriceSlot[]> {
    const slots: PriceSlot[] = [];
    const first = Math.floor(from.getTime() / SLOT_MS) * SLOT_MS;
    for (let start = first; start < from.getTime() + this.#aheadMs; start += SLOT_MS) {
      slots.push({ start: new Date(start), end: new Date(start + SLOT_MS), perKwh: this.#priceAt(start) });
    }
    return slots;
  }

  #priceAt(slotStart: number): number {
    return slotStart < this.#boundaryMs ? this.#before : this.#after;
  }
}
