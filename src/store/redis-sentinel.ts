import { Redis } from 'ioredis';
import { redisOptions } from './redis.js';

/** `host:port,host:port` → ioredis sentinel addresses. */
export function parseSentinels(list: string): Array<{ host: string; port: number }> {
  return list.split(',').map((entry) => {
    const i = entry.lastIndexOf(':');
    return { host: entry.slice(0, i).trim(), port: Number(entry.slice(i + 1)) };
  });
}

/**
 * Connect to the Redis primary that the sentinels name `name`. ioredis asks the sentinels for
 * the primary, and again whenever the connection drops, so after a failover it reconnects to the
 * promoted replica by itself. Credentials and database come from `url` (a `redis://` URL) if given.
 * Connects on the first command (`lazyConnect`).
 * @example createSentinelRedis({ sentinels: '10.0.0.1:26379,10.0.0.2:26379', name: 'mymaster' })
 */
export function createSentinelRedis(opts: { sentinels: string; name: string; url?: string }): Redis {
  const auth: { username?: string; password?: string; db?: number } = {};
  if (opts.url) {
    const u = new URL(opts.url);
    if (u.username) auth.username = decodeURIComponent(u.username);
    if (u.password) auth.password = decodeURIComponent(u.password);
    const db = Number(u.pathname.slice(1));
    if (u.pathname.length > 1 && Number.isInteger(db)) auth.db = db;
  }
  return new Redis(redisOptions({ sentinels: parseSentinels(opts.sentinels), name: opts.name, lazyConnect: true, ...auth }));
}
