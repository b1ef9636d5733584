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
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const value = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
    if (!value) throw new UsageError('nothing was given on standard input');
    return value;
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
