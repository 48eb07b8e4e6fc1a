/**
 * Files the panel serves that are too large to keep as string modules (ECharts). Node reads them
 * from node_modules (`src/node/static-assets.ts`); on Workers they come from Wrangler's `[assets]`
 * binding. Paths are absolute URL paths such as `/vendor/echarts.min.js`.
 */
export interface StaticAssets {
  /** The file as a Response, or undefined when this store has no such path. */
  fetch(path: string): Promise<Response | undefined>;
}

/** Paths the panel pages reference; every StaticAssets implementation must provide them. */
export const VENDOR_PATHS = { echarts: '/vendor/echarts.min.js' } as const;
