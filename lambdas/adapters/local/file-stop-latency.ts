import type { StopLatencySample } from '../../core/stop-latency.ts';
import { reviveStopLatency, serializeStopLatency } from '../serialization.ts';
import { readIfExists, writeFileAtomic } from './files.ts';

/** Samples kept in the file: more than any reader asks for. */
const KEPT_SAMPLES = 20;

/**
 * The account's stop latency samples in one JSON file (`stop-latency.json`), newest first. Written
 * whole and atomically; two processes recording at the same instant can lose one sample, which
 * only delays the learning by a session.
 */
export class StopLatencyFile {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async record(sample: StopLatencySample): Promise<void> {
    const kept = (await this.read()).filter(
      (s) => !(s.sessionId === sample.sessionId && s.at.getTime() === sample.at.getTime()),
    );
    const samples = [sample, ...kept].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, KEPT_SAMPLES);
    await writeFileAtomic(this.#path, `${JSON.stringify(samples.map(serializeStopLatency))}\n`);
  }

  async read(): Promise<StopLatencySample[]> {
    const text = await readIfExists(this.#path);
    if (!text) return [];
    const records: unknown = JSON.parse(text);
    if (!Array.isArray(records)) throw new Error(`${this.#path} is not a list of samples`);
    return records.map((record, index) => reviveStopLatency(record, `${this.#path} sample ${index + 1}`));
  }
}
