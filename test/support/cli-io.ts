/**
 * Runs a CLI command in-process with its stdout and stderr captured. `cli-runner.ts` spawns the
 * real CLI instead, for tests that need a separate process.
 */
import { Writable } from 'node:stream';
import type { CliIo } from '../../bin/cli/io.ts';

export interface Captured {
  readonly stream: Writable;
  text(): string;
}

/** A stream that keeps everything written to it. */
export function capture(): Captured {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a command gets besides the captured streams; `now` is the clock `prices` takes. */
export type CommandIo = CliIo & { readonly now?: (() => Date) | undefined };

export async function runCommand(
  command: (args: string[], io: CommandIo) => Promise<number>,
  args: string[],
  io: Omit<CommandIo, 'stdout' | 'stderr'>,
): Promise<CommandRun> {
  const stdout = capture();
  const stderr = capture();
  const code = await command(args, { ...io, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
