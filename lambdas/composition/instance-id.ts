import { randomBytes } from 'node:crypto';

/**
 * Unique per runtime (cold start, CLI process): a tick recognises its own stop claim by it, so
 * two runners that share a log stream name or a pid must still differ.
 */
export function instanceId(kind: 'lambda' | 'cli'): string {
  const runner = kind === 'lambda' ? (process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? process.pid) : process.pid;
  return `${kind}-${runner}-${randomBytes(3).toString('hex')}`;
}
