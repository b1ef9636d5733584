import { ConfigError, redact, StopwattError } from '../../lambdas/errors.ts';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (watch loops stop cleanly). */
  readonly signal?: AbortSignal;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Bad command-line usage: exit 2. */
export class UsageError extends ConfigError {}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/**
 * Prints an error as one line on stderr (no stack for expected failures) and returns the exit
 * code: 2 for bad input, 1 for everything else. Known secrets are scrubbed from the line.
 */
export function reportError(error: unknown, io: CliIo, secrets: readonly string[] = []): number {
  const text = error instanceof Error ? error.message : String(error);
  const line = redact(text, secrets).replace(/\s*\n\s*/g, ' ');
  io.stderr.write(`stopwatt: ${line}\n`);
  if (!(error instanceof StopwattError) && error instanceof Error && io.env.STOPWATT_DEBUG) {
    io.stderr.write(`${redact(error.stack ?? '', secrets)}\n`);
  }
  return error instanceof ConfigError ? EXIT_BAD_INPUT : EXIT_FAILED;
}

export function secretsFrom(env: NodeJS.ProcessEnv): string[] {
  return [env.STOPWATT_TOKEN, env.STOPWATT_PASSWORD].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
