import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Decision } from '../../core/decide.ts';
import type { Snapshot } from '../../core/snapshot.ts';
import type { StopLatencySample } from '../../core/stop-latency.ts';
import { errorMessage, SessionLogError } from '../../errors.ts';
import type {
  ClaimAnswer,
  SessionLog,
  SessionSummary,
  StopClaim,
  StopResult,
  TimelineEntry,
} from '../../ports.ts';
import { answerAgainst } from '../claims.ts';
import * as records from '../serialization.ts';
import { byTimelineOrder } from '../timeline-order.ts';
import { StopLatencyFile } from './file-stop-latency.ts';
import * as files from './files.ts';
import { parseTimelineLine, timelineRecord } from './timeline-lines.ts';

const EMPTY_CLAIM_GRACE_MS = 10_000; // an empty claim file older than this was left by a crash

/**
 * The session log in a local directory (the default for CLI runs): per session
 * `accounts/<account>/sessions/<id>/` holds `events.jsonl` (the timeline, a JSON object a line),
 * `claim-<n>.json`, `result.json`, `last-observation.json` and `summary.json`; per account
 * `stop-latency.json`. Attempt N is claimed by creating `claim-N.json` exclusively (a hard link to
 * a complete temp file, granted to exactly one creator), so a claim is never seen half-written.
 */
export class FileSessionLog implements SessionLog {
  readonly #root: string;

  readonly #onBadRecord: (message: string) => void;

  readonly #latency: StopLatencyFile;

  /** `onBadRecord` hears of each damaged record that reads skip (a torn line, a corrupt summary). */
  constructor(options: {
    dir: string;
    account: string;
    onBadRecord?: ((message: string) => void) | undefined;
  }) {
    const account = join(options.dir, 'accounts', files.segment(options.account));
    this.#root = join(account, 'sessions');
    this.#latency = new StopLatencyFile(join(account, 'stop-latency.json'));
    this.#onBadRecord = options.onBadRecord ?? (() => undefined);
  }

  async recordObservation(snapshot: Snapshot): Promise<void> {
    await this.#guard('record an observation', async () => {
      await this.#append(snapshot.sessionId, { kind: 'observation', at: snapshot.observedAt, snapshot });
      await files.writeFileAtomic(
        this.#file(snapshot.sessionId, 'last-observation.json'),
        files.jsonLine(records.serializeSnapshot(snapshot)),
      );
    });
  }

  async recordDecision(sessionId: string, at: Date, decision: Decision): Promise<void> {
    await this.#guard('record a decision', () => this.#append(sessionId, { kind: 'decision', at, decision }));
  }

  async claimStop(claim: StopClaim): Promise<ClaimAnswer> {
    return this.#guard('write the stop claim', async () => {
      if (claim.attempt > 1 && !(await this.#readClaim(claim.sessionId, claim.attempt - 1))) {
        return answerAgainst(await this.latestClaim(claim.sessionId), claim);
      }
      await files.makeDirs(this.#dir(claim.sessionId));
      const path = this.#file(claim.sessionId, `claim-${claim.attempt}.json`);
      // Complete or absent, never empty: a runner killed mid-write must not leave a claim that
      // nobody can read (it would block every later stop of the session).
      const data = files.jsonLine(records.serializeStopClaim(claim));
      if (!(await files.createExclusive(path, data))) {
        const stored = await this.#readClaim(claim.sessionId, claim.attempt);
        // An empty claim is a runner that died between create and write (before its /end).
        const retry = !stored && (await files.setAsideIfEmpty(path, EMPTY_CLAIM_GRACE_MS));
        if (!retry || !(await files.createExclusive(path, data))) {
          return answerAgainst(stored ?? (await this.#readClaim(claim.sessionId, claim.attempt)), claim);
        }
      }
      await this.#append(claim.sessionId, { kind: 'claim', at: claim.claimedAt, claim });
      return { kind: 'claimed' };
    });
  }

  async #readClaim(sessionId: string, attempt: number): Promise<StopClaim | null> {
    const text = await files.readIfExists(this.#file(sessionId, `claim-${attempt}.json`));
    // Only the no-hard-link fallback can show a claim file before its content: skip it then.
    return text
      ? records.reviveStopClaim(JSON.parse(text), `claim ${attempt} of session ${sessionId}`)
      : null;
  }

  async latestClaim(sessionId: string): Promise<StopClaim | null> {
    return this.#guard('read the stop claim', async () => {
      for (const attempt of await this.#claimAttempts(sessionId)) {
        const claim = await this.#readClaim(sessionId, attempt);
        if (claim) return claim;
      }
      return null;
    });
  }

  async recordStopResult(result: StopResult): Promise<void> {
    await this.#guard('record the stop result', async () => {
      await this.#append(result.sessionId, { kind: 'result', at: result.at, result });
      // An older attempt's result (written late) never replaces the latest one.
      const latest = await this.#latestResult(result.sessionId);
      if (latest && latest.attempt > result.attempt) return;
      await files.writeFileAtomic(
        this.#file(result.sessionId, 'result.json'),
        files.jsonLine(records.serializeStopResult(result)),
      );
    });
  }

  async latestStopResult(sessionId: string): Promise<StopResult | null> {
    return this.#guard('read the stop result', () => this.#latestResult(sessionId));
  }

  async #latestResult(sessionId: string): Promise<StopResult | null> {
    const text = await files.readIfExists(this.#file(sessionId, 'result.json'));
    return text ? records.reviveStopResult(JSON.parse(text)) : null;
  }

  async lastObservation(sessionId: string): Promise<Snapshot | null> {
    return this.#guard('read the last observation', async () => {
      const text = await files.readIfExists(this.#file(sessionId, 'last-observation.json'));
      return text ? records.reviveSnapshot(JSON.parse(text)) : null;
    });
  }

  async putSummary(summary: SessionSummary): Promise<void> {
    await this.#guard('write the session summary', () =>
      files.writeFileAtomic(
        this.#file(summary.sessionId, 'summary.json'),
        files.jsonLine(records.serializeSessionSummary(summary)),
      ),
    );
  }

  async listSessions(options: { since?: Date | undefined } = {}): Promise<SessionSummary[]> {
    return this.#guard('list sessions', async () => {
      let ids: string[];
      try {
        ids = await readdir(this.#root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const summaries: SessionSummary[] = [];
      for (const id of ids) {
        const path = join(this.#root, id, 'summary.json');
        const text = await files.readIfExists(path);
        if (!text) continue;
        const summary = this.#parsed(path, () => records.reviveSessionSummary(JSON.parse(text)));
        if (!summary) continue;
        const start = summary.startedAt ?? summary.lastSeenAt;
        if (options.since && start.getTime() < options.since.getTime()) continue;
        summaries.push(summary);
      }
      return summaries.sort(
        (a, b) => (a.startedAt ?? a.lastSeenAt).getTime() - (b.startedAt ?? b.lastSeenAt).getTime(),
      );
    });
  }

  async timeline(sessionId: string): Promise<TimelineEntry[]> {
    return this.#guard('read the session timeline', async () => {
      const path = this.#file(sessionId, 'events.jsonl');
      const lines = (await files.readIfExists(path))?.split('\n') ?? [];
      const entries: TimelineEntry[] = [];
      for (const [index, line] of lines.entries()) {
        if (line.trim().length === 0) continue;
        const entry = this.#parsed(`${path} line ${index + 1}`, () => parseTimelineLine(line));
        if (entry) entries.push(entry);
      }
      // A runner killed between writing its claim and its log line: the claim file still counts.
      const logged = new Set(entries.flatMap((e) => (e.kind === 'claim' ? [e.claim.attempt] : [])));
      for (const attempt of await this.#claimAttempts(sessionId)) {
        if (logged.has(attempt)) continue;
        const claim = await this.#readClaim(sessionId, attempt).catch(() => null);
        if (claim) entries.push({ kind: 'claim', at: claim.claimedAt, claim });
      }
      return entries.sort(byTimelineOrder);
    });
  }

  async recordStopLatency(sample: StopLatencySample): Promise<void> {
    await this.#guard('record the stop latency', () => this.#latency.record(sample));
  }

  async recentStopLatencies(limit: number): Promise<StopLatencySample[]> {
    return this.#guard('read the stop latency', async () => (await this.#latency.read()).slice(0, limit));
  }

  /** The record `read` returns, or null (reported) when it is damaged. */
  #parsed<T>(where: string, read: () => T): T | null {
    try {
      return read();
    } catch (error) {
      this.#onBadRecord(`skipped a damaged record in ${where}: ${errorMessage(error)}`);
      return null;
    }
  }

  async #claimAttempts(sessionId: string): Promise<number[]> {
    return (await this.#names(sessionId))
      .map((n) => /^claim-(\d+)\.json$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
  }

  #dir(sessionId: string): string {
    return join(this.#root, files.segment(sessionId));
  }

  #file(sessionId: string, name: string): string {
    return join(this.#dir(sessionId), name);
  }

  async #names(sessionId: string): Promise<string[]> {
    try {
      return await readdir(this.#dir(sessionId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async #append(sessionId: string, entry: TimelineEntry): Promise<void> {
    await files.makeDirs(this.#dir(sessionId));
    await files.appendLine(
      this.#file(sessionId, 'events.jsonl'),
      `${JSON.stringify(timelineRecord(entry))}\n`,
    );
  }

  async #guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SessionLogError) throw error;
      const message = `local store: could not ${what} under ${this.#root}: ${errorMessage(error)}`;
      throw new SessionLogError(message, { cause: error });
    }
  }
}
