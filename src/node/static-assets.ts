import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { StaticAssets } from '../panel/static-assets.js';
import { VENDOR_PATHS } from '../panel/static-assets.js';

const require = createRequire(import.meta.url);

/** URL path -> [package file, content type]. Only these files are served: no directory walking. */
const FILES: Record<string, [string, string]> = {
  [VENDOR_PATHS.echarts]: ['echarts/dist/echarts.min.js', 'text/javascript; charset=utf-8'],
};

/** Static files from installed packages, read once and kept in memory. */
export function createNodeStaticAssets(): StaticAssets {
  const cache = new Map<string, string>();
  return {
    async fetch(path) {
      const entry = FILES[path];
      if (!entry) return undefined;
      let body = cache.get(path);
      if (!body) {
        body = await readFile(require.resolve(entry[0]), 'utf8');
        cache.set(path, body);
      }
      return new Response(body, { headers: { 'content-type': entry[1], 'cache-control': 'public, max-age=86400' } });
    },
  };
}
