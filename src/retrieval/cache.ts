import type { Retriever } from './types.js';

export interface RetrievalCacheOptions {
  /** How long a result is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Most entries kept (least recently used dropped first). */
  max?: number;
  now?: () => number;
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
  const entries = new Map<string, { at: number; value: ReturnType<Retriever['search']> }>();
  return {
    search(query, searchOpts) {
      const key = JSON.stringify([query.trim(), searchOpts ?? null]);
      const hit = entries.get(key);
      const t = now();
      if (hit && t - hit.at < opts.ttlMs) {
        entries.delete(key);
        entries.set(key, hit); // most recently used goes last
        return hit.value;
      }
      const value = inner.search(query, searchOpts);
      entries.set(key, { at: t, value });
      value.catch(() => entries.delete(key));
      if (entries.size > max) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
}
