import { afterAll } from 'vitest';
import { fixedClock } from '../clock.js';
import { createMemoryRedis, type Redis } from '../store/redis.js';
import { describeRateLimiterContract } from './rate-limiter.contract.js';
import { createRedisRateLimiter } from './rate-limiter.js';

// ioredis-mock is the embedded fallback store, so the limiter must behave the same on it.
const connections: Redis[] = [];
afterAll(() => connections.forEach((r) => r.disconnect()));

let n = 0;
describeRateLimiterContract('ioredis-mock', async () => {
  const redis = await createMemoryRedis();
  connections.push(redis);
  const clock = fixedClock('2021-11-05T09:00:00+08:00');
  return {
    limiter: createRedisRateLimiter(redis, { prefix: `unit${n++}:`, now: () => clock.now().getTime() }),
    advance: (ms) => clock.advance(ms),
  };
});
