import type { BuildOptions } from 'esbuild';

/**
 * How the check function is bundled, in one place: lib/scheduled-check.ts hands it to the CDK's
 * NodejsFunction; the bench and the bundle test give the same options to esbuild directly.
 */
export const CHECK_BUNDLING = {
  format: 'esm',
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  // ESM output still meets CommonJS dependencies that call require().
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Nothing is left to the runtime's node_modules: an AWS SDK import that crept back would be
  // bundled (and fail test/integration/check-bundle.test.ts), not resolved from Lambda's copy.
  externalModules: [],
} as const;

/** The esbuild build NodejsFunction runs for CHECK_BUNDLING (its `esbuild --bundle` command line). */
export function checkEsbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: CHECK_BUNDLING.format,
    target: CHECK_BUNDLING.target,
    minify: CHECK_BUNDLING.minify,
    sourcemap: CHECK_BUNDLING.sourceMap,
    mainFields: [...CHECK_BUNDLING.mainFields],
    banner: { js: CHECK_BUNDLING.banner },
    external: [...CHECK_BUNDLING.externalModules],
  };
}
