import type { StaticAssets } from '../panel/static-assets.js';

/** The part of Wrangler's `[assets]` binding (a Fetcher) that we use. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/** Same caching as the Node implementation (src/node/static-assets.ts): the files are versioned by deploy. */
const CACHE_CONTROL = 'public, max-age=86400';

/**
 * The panel's large static files (ECharts) from the Worker's `[assets]` binding, which
 * `scripts/build-worker-data.ts` fills from node_modules at build time.
 */
export function createWorkerStaticAssets(binding: AssetsBinding): StaticAssets {
  return {
    async fetch(path) {
      // The host is ignored by the binding; only the path selects the file.
      const res = await binding.fetch(new Request(new URL(path, 'https://assets.invalid')));
      if (!res.ok) return undefined;
      const headers = new Headers(res.headers);
      headers.set('cache-control', CACHE_CONTROL);
      return new Response(res.body, { status: 200, headers });
    },
  };
}
