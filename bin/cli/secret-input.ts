import type { CliIo } from './io.ts';
import { UsageError } from './io.ts';

/**
 * Reads one secret line: from a pipe when stdin is not a terminal, otherwise from a prompt
 * that does not echo what is typed. The value is never printed.
 */
export async function readSecret(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  if (!stdin) throw new UsageError('no standard input to read the secret from');
  if (!stdin.isTTY || !stdin.setRawMode) {
    const [value] = await readPipedLines(io, 1);
    return value ?? '';
  }
  io.stderr.write(prompt);
  const setRaw = stdin.setRawMode.bind(stdin);
  setRaw(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (data: Buffer | string) => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            io.stderr.write('\n');
            if (!value) reject(new UsageError('nothing was entered'));
            else resolve(value);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            io.stderr.write('\n');
            reject(new UsageError('cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    setRaw(false);
    stdin.pause();
  }
}

let piped: Promise<string[]> | null = null;

/** The next `count` lines of piped standard input (read once, handed out in order). */
export async function readPipedLines(io: CliIo, count: number): Promise<string[]> {
  const stdin = io.stdin;
  if (!stdin) throw new UsageError('no standard input to read from');
  piped ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks)
      .toString('utf8')
      .split(/\r?\n/)
      .map((line) => line.trim());
  })();
  const lines = await piped;
  const taken = lines.splice(0, count);
  if (taken.length < count || taken.some((line) => line.length === 0)) {
    throw new UsageError('not enough lines on standard input');
  }
  return taken;
}
