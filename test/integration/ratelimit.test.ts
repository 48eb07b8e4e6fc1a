import { afterAll, beforeAll } from 'vitest';
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
