/** One full read of a parameter: its value (null when it does not exist) and version. */
export interface ParameterReading {
  readonly value: string | null;
  readonly version: number | null;
}

/** Where a cached parameter is read from. */
export interface ParameterSource {
  /** The value; for a SecureString a decrypting read (one KMS Decrypt). */
  read(): Promise<ParameterReading>;
  /** The current version only, read without decryption (no KMS); null when it does not exist. */
  version(): Promise<number | null>;
}

export interface ParameterCachePolicy {
  /** A value is used without asking the store for this long: a change is seen after this at most. */
  readonly checkMs: number;
  /**
   * While its version stays the same, a value is kept up to this long (checked every `checkMs`
   * by `version()`), then read in full again. At most `checkMs`: no version checks, only reads.
   */
  readonly maxAgeMs: number;
}

interface Entry {
  /** Undefined when only the version is known (see `present`). */
  readonly value: string | null | undefined;
  readonly version: number | null;
  readonly readAt: number;
  checkedAt: number;
}

/**
 * The in-memory copy of one parameter, kept as long as its owner (a warm function's stores).
 * Version checks are what keep a SecureString fresh without a decrypt each minute; SSM versions
 * only grow while a parameter exists (a deleted and re-created one restarts at 1: caught by
 * `maxAgeMs`, or by a fresh read after a 401).
 */
export class ParameterCache {
  #entry: Entry | null = null;

  constructor(
    private readonly source: ParameterSource,
    private readonly policy: ParameterCachePolicy,
    private readonly now: () => number,
  ) {}

  /** The value, or null when the parameter does not exist (also cached). `fresh` reads in full now. */
  async get(fresh = false): Promise<string | null> {
    const now = this.now();
    const entry = this.#entry;
    if (entry && entry.value !== undefined && !fresh) {
      if (within(now, entry.checkedAt, this.policy.checkMs)) return entry.value;
      if (this.policy.maxAgeMs > this.policy.checkMs && within(now, entry.readAt, this.policy.maxAgeMs)) {
        const version = await this.source.version();
        if (version === entry.version) {
          entry.checkedAt = now;
          return entry.value;
        }
      }
    }
    const reading = await this.source.read();
    this.#entry = { ...reading, readAt: now, checkedAt: now };
    return reading.value;
  }

  /** Whether the parameter exists, never decrypting it: a version check at most every `checkMs`. */
  async present(): Promise<boolean> {
    const now = this.now();
    const entry = this.#entry;
    if (entry && within(now, entry.checkedAt, this.policy.checkMs)) {
      return entry.value === undefined ? entry.version !== null : entry.value !== null;
    }
    const version = await this.source.version();
    if (entry && version === entry.version) {
      entry.checkedAt = now;
    } else {
      this.#entry = { value: undefined, version, readAt: now, checkedAt: now };
    }
    return version !== null;
  }

  /** After this process wrote `value`, stored as `version` (null when the store did not say). */
  wrote(value: string, version: number | null): void {
    const now = this.now();
    this.#entry = { value, version, readAt: now, checkedAt: now };
  }
}

/** `at` lies less than `ms` before `now`; a clock that went back counts as expired. */
function within(now: number, at: number, ms: number): boolean {
  return now >= at && now - at < ms;
}
