import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { checkEsbuildOptions } from '../lib/check-bundling.ts';

export interface BundleReport {
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  readonly buildMs: number;
  /** Largest contributors to the output: packages by name, own code by `lambdas/<dir>`. */
  readonly topPackages: readonly { readonly name: string; readonly bytes: number }[];
  /** Bytes of zod's message locales in the output (zod classic bundles every language). */
  readonly zodLocaleBytes: number;
}

/**
 * The check bundle before issue 13's slimming, as its `npm run bench` reported it on this machine
 * (Node 20): zod classic with every locale and the AWS SDK v3 clients. Documented, not measured
 * here: that code is gone.
 */
export const BUNDLE_BEFORE = {
  source: 'issue 13, before: zod classic + AWS SDK clients',
  bytes: 1_004_958,
  zodBytes: 455_000,
  zodLocaleBytes: 264_000,
  initMedianMs: 269,
} as const;

const ENTRY = resolve(import.meta.dirname, '../lambdas/check/handler.ts');

/**
 * Bundles the check handler with the options lib/scheduled-check.ts gives the CDK's NodejsFunction
 * (lib/check-bundling.ts: ESM, node22, minified, external source map, everything bundled, AWS SDK
 * included, the `require` banner), plus a metafile. Output goes to a fresh temp dir.
 */
export async function bundleHandler(): Promise<BundleReport> {
  const dir = await mkdtemp(join(tmpdir(), 'stopwatt-bench-'));
  const outfile = join(dir, 'index.mjs');
  const started = performance.now();
  const result = await build({ ...checkEsbuildOptions(ENTRY, outfile), metafile: true, logLevel: 'warning' });
  const buildMs = performance.now() - started;
  const code = await readFile(outfile);
  const map = await readFile(`${outfile}.map`);
  const byPackage = new Map<string, number>();
  let zodLocaleBytes = 0;
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
      if (name === 'zod' && path.includes('/locales/')) zodLocaleBytes += input.bytesInOutput;
    }
  }
  const topPackages = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, bytes]) => ({ name, bytes }));
  return {
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sourceMapBytes: map.length,
    buildMs,
    topPackages,
    zodLocaleBytes,
  };
}

function packageOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m?.[1]) return m[1];
  const own = /^lambdas\/([^/]+\/)?/.exec(path);
  return own ? own[0].replace(/\/$/, '') : path;
}
