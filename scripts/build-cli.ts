/**
 * Builds the installable CLI: bin/stopwatt.ts bundled by esbuild into dist/ as plain JavaScript
 * for Node 20+, with the runtime dependencies left as imports. Runs at `npm run build` and as the
 * `prepack` script, so `npm pack` ships a built CLI; `npm link` and `npm install -g .` link the
 * clone, so they need `npm run build` first (as the README says).
 */
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const OUT_DIR = join(ROOT, 'dist');
const ENTRY = join(OUT_DIR, 'stopwatt.js');

await rm(OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints: { stopwatt: join(ROOT, 'bin', 'stopwatt.ts') },
  outdir: OUT_DIR,
  bundle: true,
  // Separate chunks keep the commands' lazy imports lazy: `check` does not load the AWS SDK.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Runtime dependencies are installed next to the CLI; everything else is bundled.
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
// The source's hashbang runs tsx; the built entry runs on plain Node.
const source = (await readFile(ENTRY, 'utf8')).replace(/^#!.*\n/, '');
await writeFile(ENTRY, `#!/usr/bin/env node\n${source}`);
await chmod(ENTRY, 0o755);
