/** `stopwatt simulate` as a child process, as a driver runs it in a second terminal. */
import { type ChildProcess, spawn } from 'node:child_process';
import { baseEnv, ROOT } from './cli-runner.ts';

export interface SimulateProcess {
  readonly child: ChildProcess;
  /** Everything printed up to the `State: ... Ctrl-C to stop.` line. */
  readonly banner: string;
}

/** Spawns `stopwatt simulate` and resolves with its banner once the state line is printed. */
export function startSimulate(args: string[], children: ChildProcess[]): Promise<SimulateProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/stopwatt.ts', 'simulate', ...args], {
    cwd: ROOT,
    env: baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Ctrl-C to stop.')) resolve({ child, banner: out });
    });
    child.on('exit', (code) => reject(new Error(`simulate exited ${code}: ${out}`)));
  });
}

/** Sends Ctrl-C and resolves with the exit code. */
export function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

export function urlOf(banner: string): string {
  const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
  if (url === undefined) throw new Error(`no url in: ${banner}`);
  return url;
}

export function sessionIdOf(banner: string): string {
  const id = /Session (\S+): charging/.exec(banner)?.[1];
  if (id === undefined) throw new Error(`no session line in: ${banner}`);
  return id;
}
