/**
 * What esbuild puts into the check Lambda, built with the options the CDK uses
 * (lib/check-bundling.ts). Asserts on which modules are inputs, never on bytes or time: sizes
 * and init times belong to the bench.
 */
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkEsbuildOptions } from '../../lib/check-bundling.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** A bundle's inputs, relative to the repository; a package's as `node_modules/<name>/…`. */
async function bundleInputs(entry: string): Promise<string[]> {
  const result = await build({
    ...checkEsbuildOptions(join(ROOT, entry), join(ROOT, 'check-bundle-test.mjs')),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs)
    .flatMap((output) => Object.keys(output.inputs))
    .map((path) => (path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/')) : path));
}

let inputs: string[] = [];

beforeAll(async () => {
  inputs = await bundleInputs('lambdas/check/handler.ts');
});

const matching = (pattern: RegExp) => inputs.filter((path) => pattern.test(path));

describe('the check Lambda bundle', () => {
  it('uses zod/mini, not the classic build that carries every method and locale', () => {
    expect(matching(/node_modules\/zod\/v4\/mini\//).length).toBeGreaterThan(0);
    expect(matching(/node_modules\/zod\/(index\.js|v4\/index\.js|v4\/classic\/|v3\/)/)).toEqual([]);
  });

  it('bundles the English zod messages and no other locale', () => {
    expect(matching(/node_modules\/zod\/.*locales\//)).toEqual(['node_modules/zod/v4/locales/en.js']);
  });

  it('leaves out the web app, the local file stores, the simulator and the CLI', () => {
    expect(matching(/node_modules\/(hono|@hono\/|uplot|uqr)\//)).toEqual([]);
    expect(
      matching(/^lambdas\/(simulator|adapters\/local|web\/(app|auth|controls|local|pages|static))\b/),
    ).toEqual([]);
    expect(matching(/^(bin|lib|scripts|test)\//)).toEqual([]);
  });

  it('posts webhooks with fetch: no HTTP client library', () => {
    expect(matching(/node_modules\/(ky|axios|got|node-fetch|undici)\//)).toEqual([]);
  });

  it('calls AWS through its own signed client: no AWS SDK or Smithy package', () => {
    expect(matching(/node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//)).toEqual([]);
    expect(matching(/^lambdas\/adapters\/aws\/(dynamodb|ssm|sns|signature-v4)\.ts$/)).toHaveLength(4);
  });
});

describe('the web Lambda bundle', () => {
  it('shares the slim edges: zod/mini with English only, no AWS SDK', async () => {
    // Act: the same options; lib/web-app.ts adds only the static files after bundling.
    const web = await bundleInputs('lambdas/web/lambda-handler.ts');

    // Assess
    expect(web.filter((path) => /node_modules\/zod\/(index\.js|v4\/classic\/)/.test(path))).toEqual([]);
    expect(web.filter((path) => /node_modules\/zod\/.*locales\//.test(path))).toEqual([
      'node_modules/zod/v4/locales/en.js',
    ]);
    expect(web.filter((path) => /node_modules\/(@aws-sdk|@smithy)\//.test(path))).toEqual([]);
  });
});
