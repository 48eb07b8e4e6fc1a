import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { createSentinelRedis, parseSentinels } from './redis-sentinel.js';

describe('Redis Sentinel settings', () => {
  it('parses the sentinel list', () => {
    expect(parseSentinels('10.0.0.1:26379,sentinel-b.internal:26380')).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b.internal', port: 26380 },
    ]);
  });

  it('rejects a malformed REDIS_SENTINELS naming the variable', () => {
    expect(() => parseConfig({ REDIS_SENTINELS: '10.0.0.1' })).toThrow(/REDIS_SENTINELS/);
    expect(parseConfig({ REDIS_SENTINELS: 'a:1,b:2' }).REDIS_SENTINEL_NAME).toBe('mymaster');
  });

  it('takes credentials and database from REDIS_URL, hosts from the sentinels', () => {
    const r = createSentinelRedis({ sentinels: 'a:1', name: 'prod', url: 'redis://app:s%40cret@ignored:6379/3' });
    try {
      expect(r.options).toMatchObject({ name: 'prod', sentinels: [{ host: 'a', port: 1 }], username: 'app', password: 's@cret', db: 3 });
    } finally {
      r.disconnect();
    }
  });
});
