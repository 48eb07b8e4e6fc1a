import { describe, expect, it } from 'vitest';
import type { RateLimiter } from './rate-limiter.js';

export interface LimiterFixture {
  limiter: RateLimiter;
  /** Move the limiter's clock forward. */
  advance(ms: number): void;
}

/**
 * The behaviour every RateLimiter implementation must show; run against ioredis-mock (unit)
 * and the real Redis (integration). `make` gets a fresh, isolated limiter each test.
 */
export function describeRateLimiterContract(name: string, make: () => Promise<LimiterFixture>) {
  describe(`rate limiter contract: ${name}`, () => {
    const rule = { limit: 3, windowMs: 60_000 };

    it('allows `limit` requests, then denies with the time until a slot frees', async () => {
      const { limiter, advance } = await make();
      const r1 = await limiter.check('k', rule);
      advance(10_000);
      const r2 = await limiter.check('k', rule);
      const r3 = await limiter.check('k', rule);
      expect([r1, r2, r3].map((r) => [r.allowed, r.remaining])).toEqual([[true, 2], [true, 1], [true, 0]]);
      advance(5_000);
      const denied = await limiter.check('k', rule);
      expect(denied).toEqual({ allowed: false, remaining: 0, retryAfterMs: 45_000, limit: 3 });
      advance(45_000);
      expect((await limiter.check('k', rule)).allowed).toBe(true);
    });

    it('slides: no double burst at a window edge', async () => {
      const { limiter, advance } = await make();
      advance(59_000);
      for (let i = 0; i < 3; i++) expect((await limiter.check('edge', rule)).allowed).toBe(true);
      advance(2_000); // a fixed minute window would have reset here
      const r = await limiter.check('edge', rule);
      expect(r.allowed).toBe(false);
      expect(r.retryAfterMs).toBe(58_000);
    });

    it('keeps keys independent and denied requests do not extend the block', async () => {
      const { limiter, advance } = await make();
      for (let i = 0; i < 3; i++) await limiter.check('spammer', rule);
      for (let i = 0; i < 10; i++) expect((await limiter.check('spammer', rule)).allowed).toBe(false);
      expect((await limiter.check('someone-else', rule)).allowed).toBe(true);
      advance(60_000);
      expect((await limiter.check('spammer', rule)).allowed).toBe(true);
    });

    it('counts concurrent requests exactly', async () => {
      const { limiter } = await make();
      const results = await Promise.all(Array.from({ length: 20 }, () => limiter.check('burst', { limit: 5, windowMs: 1000 })));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
    });

    it('reset forgets a key', async () => {
      const { limiter } = await make();
      await limiter.check('r', { limit: 1, windowMs: 1000 });
      expect((await limiter.check('r', { limit: 1, windowMs: 1000 })).allowed).toBe(false);
      await limiter.reset('r');
      expect((await limiter.check('r', { limit: 1, windowMs: 1000 })).allowed).toBe(true);
    });

    it('rejects a meaningless rule', async () => {
      const { limiter } = await make();
      await expect(limiter.check('x', { limit: 0, windowMs: 1000 })).rejects.toThrow(RangeError);
      await expect(limiter.check('x', { limit: 1, windowMs: 0.5 })).rejects.toThrow(RangeError);
    });
  });
}
