import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { StaticAsset } from './ports.ts';

const require = createRequire(import.meta.url);

/** Where each served file lives: the app's own files, and uPlot from its package. */
export function assetPaths(): Record<string, { path: string; contentType: string }> {
  const own = join(import.meta.dirname, 'static');
  return {
    'app.css': { path: join(own, 'app.css'), contentType: 'text/css; charset=utf-8' },
    'charts.js': { path: join(own, 'charts.js'), contentType: 'text/javascript; charset=utf-8' },
    'uplot.js': {
      path: require.resolve('uplot/dist/uPlot.iife.min.js'),
      contentType: 'text/javascript; charset=utf-8',
    },
    'uplot.css': {
      path: require.resolve('uplot/dist/uPlot.min.css'),
      contentType: 'text/css; charset=utf-8',
    },
  };
}

/** Reads the static files from disk once and keeps them (the default `WebDeps.assets`). */
export function fileAssets(paths = assetPaths()): (name: string) => Promise<StaticAsset | null> {
  const cache = new Map<string, Promise<StaticAsset>>();
  return (name) => {
    const entry = Object.hasOwn(paths, name) ? paths[name] : undefined;
    if (!entry) return Promise.resolve(null);
    let loaded = cache.get(name);
    if (!loaded) {
      loaded = readFile(entry.path, 'utf8').then((body) => ({ body, contentType: entry.contentType }));
      cache.set(name, loaded);
    }
    return loaded;
  };
}
