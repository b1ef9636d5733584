import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Summary, summarize } from './stats.ts';

export interface ColdStartReport {
  readonly runs: number;
  readonly nodeVersion: string;
  readonly nodeOptions: string;
  /** Process start (performance.timeOrigin) to `await import(bundle)` done, ms. */
  readonly totalMs: Summary;
  /** The `import()` alone, ms. */
  readonly importMs: Summary;
}

/**
 * Module init time of the bundle: `runs` fresh `node` processes, one after another, each importing
 * it once and printing `performance.now()` before and after. This is Node on this machine (20),
 * not Lambda's nodejs22.x on arm64; the Lambda INIT phase adds runtime bootstrap on top.
 */
export function measureColdStart(bundle: string, runs: number, nodeOptions = ''): ColdStartReport {
  const url = pathToFileURL(bundle).href;
  const script = `const t0 = performance.now(); await import(${JSON.stringify(url)}); const t1 = performance.now(); process.stdout.write(JSON.stringify({ t0, t1 }));`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: nodeOptions };
  const totals: number[] = [];
  const imports: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`cold-start run ${i} failed: ${out.stderr}`);
    const { t0, t1 } = JSON.parse(out.stdout) as { t0: number; t1: number };
    totals.push(t1);
    imports.push(t1 - t0);
  }
  return {
    runs,
    nodeVersion: process.version,
    nodeOptions,
    totalMs: summarize(totals),
    importMs: summarize(imports),
  };
}

/**
 * The same measurement on an empty module: what Node itself takes to start here, under this
 * machine's load. start->import done of the bundle minus this is the bundle's own share.
 */
export function measureNodeStartup(runs: number): ColdStartReport {
  const dir = mkdtempSync(join(tmpdir(), 'stopwatt-empty-'));
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  try {
    return measureColdStart(empty, runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
