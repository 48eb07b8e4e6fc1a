import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * Options every connection uses. `disableClientInfo`: Debian's Redis 7.0 rejects the
 * CLIENT SETINFO that recent ioredis sends on connect. A bounded retry keeps commands from
 * hanging forever when Redis is down: they fail fast and the caller degrades.
 */
export function redisOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    disableClientInfo: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
    ...extra,
  };
}

/** Connect to a real Redis. */
export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, redisOptions(extra));
}

/**
 * An in-process Redis (ioredis-mock) for when no redis-server exists: same commands, nothing
 * survives a restart. Imported lazily so production bundles don't carry it.
 */
export async function createMemoryRedis(): Promise<Redis> {
  const mod = (await import('ioredis-mock')) as unknown as { default: new () => Redis };
  return new mod.default();
}
