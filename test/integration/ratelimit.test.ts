import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { describeRateLimiterContract } from '../../src/ratelimit/rate-limiter.contract.js';
import { createRedisRateLimiter } from '../../src/ratelimit/rate-limiter.js';
import { testServices, uniqueName, type TestServices } from '../helpers/services.js';

let s: TestServices;
beforeAll(async () => {
  s = await testServices({ indexKnowledge: false });
});
afterAll(() => s.cleanup());

describeRateLimiterContract('real Redis', async () => {
  const clock = fixedClock('2021-11-05T09:00:00+08:00');
  return {
    limiter: createRedisRateLimiter(s.redis, { prefix: `${s.config.REDIS_PREFIX}${uniqueName('c')}:`, now: () => clock.now().getTime() }),
    advance: (ms) => clock.advance(ms),
  };
});

describe('scripts sent as EVALSHA', () => {
  it('keep working after Redis forgets its scripts (SCRIPT FLUSH), alone and in a pipeline', async () => {
    const clock = fixedClock('2021-11-05T09:00:00+08:00');
    const prefix = `${s.config.REDIS_PREFIX}${uniqueName('f')}:`;
    const limiter = createRedisRateLimiter(s.redis, { prefix, now: () => clock.now().getTime() });
    const rule = { limit: 2, windowMs: 60_000 };
    expect((await limiter.check('k', rule)).remaining).toBe(1);
    await s.redis.script('FLUSH');
    expect((await limiter.check('k', rule)).remaining).toBe(0);
    await s.redis.script('FLUSH');
    const batch = s.redis.pipeline();
    const parse = limiter.queue(batch, 'k', rule);
    const [first] = (await batch.exec()) ?? [];
    const [err, reply] = first ?? [new Error('no reply'), undefined];
    expect(err).toBeNull();
    expect(parse(reply)).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 60_000 });
  });
});
