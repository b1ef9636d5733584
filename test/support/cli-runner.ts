/**
 * Spawns the real CLI (`node --import tsx bin/stopwatt.ts ...`) from the repo root and reads back
 * what it left in its local store. `cli-io.ts` runs a command in-process instead.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface CliRun {
  /** Exit code; -1 when the process was killed by a signal. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, ms. */
  readonly durationMs: number;
}

/** The parent's environment without anything stopwatt or vitest reads. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('STOPWATT_') || key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

export interface RunCliOptions {
  /** The process is killed after this long (reported as code -1). @default 60_000 */
  readonly timeoutMs?: number;
  /** Written to standard input, which is then closed. @default - standard input closed at once */
  readonly input?: string;
}

/** Runs one CLI command. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: RunCliOptions = {}): Promise<CliRun> {
  const { timeoutMs = 60_000, input } = options;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/stopwatt.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A child that exits without reading its input must not fail the run with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** Every regular file under `dir` (recursive); [] when `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** What the local store holds for one session. */
export interface StoredSession {
  /** `kind` of each line of events.jsonl, in order (observation, decision, claim, result). */
  readonly events: string[];
  /** `outcome` of each `result` line, in order. */
  readonly results: string[];
  /** Attempt numbers of the `claim-N.json` files. */
  readonly claims: number[];
  /** result.json (the latest result), or null. */
  readonly result: Record<string, unknown> | null;
}

function sessionsDir(store: string, account: string): string {
  return join(store, 'accounts', account, 'sessions');
}

/** Session ids with a directory in the store. */
export async function storedSessionIds(store: string, account = 'local'): Promise<string[]> {
  try {
    return (await readdir(sessionsDir(store, account))).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function storedSession(
  store: string,
  sessionId: string,
  account = 'local',
): Promise<StoredSession> {
  const dir = join(sessionsDir(store, account), sessionId);
  const read = async (name: string): Promise<string | null> => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  const lines = ((await read('events.jsonl')) ?? '')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { kind?: unknown; value?: { outcome?: unknown } });
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const resultText = await read('result.json');
  return {
    events: lines.map((line) => String(line.kind)),
    results: lines.filter((line) => line.kind === 'result').map((line) => String(line.value?.outcome)),
    claims: names
      .map((name) => /^claim-(\d+)\.json$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b),
    result: resultText === null ? null : (JSON.parse(resultText) as Record<string, unknown>),
  };
}
