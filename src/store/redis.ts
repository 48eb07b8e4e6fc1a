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

/**
 * Report connection errors at most once per `everyMs`: without any 'error' listener ioredis
 * prints "Unhandled error event" on every reconnect attempt while Redis is down.
 */
export function throttledErrorReporter(report: (err: Error) => void, everyMs = 10_000): (err: Error) => void {
  let last = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    report(err);
  };
}

/** Connect to a real Redis; connection errors go to `onError` (throttled), never unhandled. */
export function createRedis(
  url: string,
  extra: RedisOptions = {},
  onError: (err: Error) => void = (err) => console.warn(JSON.stringify({ t: new Date().toISOString(), level: 'warn', msg: 'redis connection error', error: err.message })),
): Redis {
  const client = new Redis(url, redisOptions(extra));
  client.on('error', throttledErrorReporter(onError));
  return client;
}

/** Errors that mean "Redis could not be reached" (as opposed to a command Redis refused). */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError'
    || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|Stream isn't writeable|enableOfflineQueue/.test(err.message);
}

/**
 * An in-process Redis (ioredis-mock) for when no redis-server exists: same commands, nothing
 * survives a restart. Imported lazily so production bundles don't carry it.
 */
export async function createMemoryRedis(): Promise<Redis> {
  const mod = (await import('ioredis-mock')) as unknown as { default: new () => Redis };
  return new mod.default();
}
