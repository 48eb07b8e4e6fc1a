import { describe, expect, it } from 'vitest';
import { createCachedRetriever } from './cache.js';
import type { RetrievalResult, Retriever } from './types.js';

function counting(fail = false) {
  let calls = 0;
  const inner: Retriever = {
    async search(q) {
      calls++;
      if (fail) throw new Error('down');
      return { normalized: q, hits: [], confidence: calls, tookMs: 1 } satisfies RetrievalResult;
    },
  };
  return { inner, calls: () => calls };
}

describe('createCachedRetriever', () => {
  it('reuses a result for the same question and options within the TTL', async () => {
    let t = 0;
    const c = counting();
    const r = createCachedRetriever(c.inner, { ttlMs: 1000, now: () => t, jitter: 0 });
    await r.search('低保怎么申请', { limit: 5 });
    await r.search(' 低保怎么申请 ', { limit: 5 });
    expect(c.calls()).toBe(1);
    await r.search('低保怎么申请', { limit: 3 });
    expect(c.calls()).toBe(2);
    t = 1500;
    expect((await r.search('低保怎么申请', { limit: 5 })).confidence).toBe(3);
  });

  it('spreads expiry over ttl × (1 − jitter) .. ttl, so a burst of entries does not expire at once', async () => {
    let t = 0;
    const draws = [0, 0.5, 1, 0, 0];
    const c = counting();
    const r = createCachedRetriever(c.inner, { ttlMs: 1000, now: () => t, jitter: 0.5, random: () => draws.shift()! });
    for (const q of ['a', 'b', 'c']) await r.search(q); // live until 1000, 750 and 500
    t = 600;
    for (const q of ['a', 'b', 'c']) await r.search(q);
    expect(c.calls()).toBe(4); // only c recomputed
    t = 800;
    await r.search('b');
    expect(c.calls()).toBe(5);
  });

  it('never caches failures', async () => {
    const c = counting(true);
    const r = createCachedRetriever(c.inner, { ttlMs: 1000 });
    await expect(r.search('x')).rejects.toThrow('down');
    await expect(r.search('x')).rejects.toThrow('down');
    expect(c.calls()).toBe(2);
  });

  it('drops the least recently used entry beyond max, and ttl 0 disables it', async () => {
    const c = counting();
    const r = createCachedRetriever(c.inner, { ttlMs: 1000, max: 2 });
    await r.search('a');
    await r.search('b');
    await r.search('a');
    await r.search('c'); // evicts b
    await r.search('a');
    expect(c.calls()).toBe(3);
    await r.search('b');
    expect(c.calls()).toBe(4);
    const off = counting();
    const r0 = createCachedRetriever(off.inner, { ttlMs: 0 });
    await r0.search('a');
    await r0.search('a');
    expect(off.calls()).toBe(2);
  });
});
