import type { Retriever } from './types.js';

export interface RetrievalCacheOptions {
  /** How long a result is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Most entries kept (least recently used dropped first). */
  max?: number;
  now?: () => number;
  /**
   * Each entry lives between `ttlMs × (1 − jitter)` and `ttlMs` (default 0.5), so results cached
   * together in a burst do not expire together and are not all recomputed in the same second
   * (a cache stampede: it showed in the bench as a 100 ms stall of every turn).
   */
  jitter?: number;
  /** 0..1, for tests (default Math.random). */
  random?: () => number;
}

/**
 * Reuse recent results for identical questions. Hotline traffic comes in bursts of the same
 * question (a new policy, an outage), and each uncached turn costs a multi-query Meilisearch
 * search; a short TTL keeps answers at most `ttlMs` behind a reindex. Failures are never cached,
 * so a Meilisearch outage is noticed on the next turn.
 */
export function createCachedRetriever(inner: Retriever, opts: RetrievalCacheOptions): Retriever {
  if (opts.ttlMs <= 0) return inner;
  const max = opts.max ?? 2000;
  const now = opts.now ?? Date.now;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  const random = opts.random ?? Math.random;
  const entries = new Map<string, { until: number; value: ReturnType<Retriever['search']> }>();
  return {
    search(query, searchOpts) {
      const key = JSON.stringify([query.trim(), searchOpts ?? null]);
      const hit = entries.get(key);
      const t = now();
      if (hit && t < hit.until) {
        entries.delete(key);
        entries.set(key, hit); // most recently used goes last
        return hit.value;
      }
      const value = inner.search(query, searchOpts);
      entries.set(key, { until: t + opts.ttlMs * (1 - jitter * random()), value });
      value.catch(() => entries.delete(key));
      if (entries.size > max) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}
