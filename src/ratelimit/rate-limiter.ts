import type { ChainableCommander } from 'ioredis';
import type { Redis } from '../store/redis.js';

/** Outcome of one rate-limit check. */
export interface RateLimitResult {
  allowed: boolean;
  /** Requests still allowed in the current window after this one (0 when denied). */
  remaining: number;
  /** Milliseconds until the next request would be allowed (0 when allowed). */
  retryAfterMs: number;
  limit: number;
}

export interface RateLimitRule {
  /** Most requests allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
}

/**
 * A limiter shared by every process that uses the same Redis: per-IP, per-session, per-contact.
 * Keys are caller-chosen (e.g. `wechat:<ref>`, `ip:<addr>`) and namespaced by the limiter.
 */
export interface RateLimiter {
  /** Count one request for `key` and say whether it is allowed under `rule`. */
  check(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Forget a key (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/**
 * Sliding-window log in one Lua script (atomic, so concurrent processes agree):
 * drop entries older than the window, count, and record this request only if it is allowed.
 * At most `limit` requests are allowed in ANY window of `windowMs` — no burst at window edges,
 * which a fixed-window counter allows. Memory is O(limit) per key, and the key expires when idle.
 * Denied requests are not recorded, so a blocked client regains access one window after its
 * oldest allowed request.
 */
const SLIDING_WINDOW = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
if retry < 1 then retry = 1 end
return {0, 0, retry}`;

export interface RedisRateLimiterOptions {
  /** Key prefix, e.g. the service's REDIS_PREFIX; the limiter adds `rl:`. */
  prefix: string;
  /** Milliseconds since the epoch; the service clock, so tests can move time. */
  now?: () => number;
}

/** A Redis limiter that can also queue its check on a pipeline shared with other commands. */
export interface RedisRateLimiter extends RateLimiter {
  /**
   * Queue one check on `batch` (several checks, one round trip); after `batch.exec()`, pass this
   * command's reply to the returned function. Throws a RangeError at once for an invalid rule.
   */
  queue(batch: ChainableCommander, key: string, rule: RateLimitRule): (reply: unknown) => RateLimitResult;
}

/** Name of the script as an ioredis command: EVALSHA, with the script body sent once per connection. */
const COMMAND = 'yhdSlidingWindow';
type ScriptCall = (key: string, now: string, windowMs: string, limit: string, member: string) => Promise<unknown>;

/** Define the script on this client once (ioredis falls back to EVAL when Redis lacks it). */
export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): void {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
}

/** Call a script defined with `defineScript` on the client or on a pipeline. */
export function scriptOn<F>(target: Redis | ChainableCommander, name: string): F {
  return ((target as unknown as Record<string, F & { bind(t: unknown): F }>)[name]!).bind(target) as F;
}

/**
 * Create a Redis-backed limiter.
 * @example
 * const limiter = createRedisRateLimiter(services.redis, { prefix: config.REDIS_PREFIX });
 * const r = await limiter.check(`ip:${ip}`, { limit: 60, windowMs: 60_000 });
 * if (!r.allowed) throw new AppError(429, 'rate_limited', `请求过于频繁，请${Math.ceil(r.retryAfterMs / 1000)}秒后再试`);
 */
export function createRedisRateLimiter(redis: Redis, opts: RedisRateLimiterOptions): RedisRateLimiter {
  const now = opts.now ?? (() => Date.now());
  const keyOf = (key: string) => `${opts.prefix}rl:${key}`;
  defineScript(redis, COMMAND, 1, SLIDING_WINDOW);
  let seq = 0;
  const args = (key: string, rule: RateLimitRule): Parameters<ScriptCall> => {
    if (!Number.isInteger(rule.limit) || rule.limit < 1) throw new RangeError('rate limit must be a positive integer');
    if (!Number.isInteger(rule.windowMs) || rule.windowMs < 1) throw new RangeError('rate window must be a positive integer of ms');
    const t = Math.floor(now());
    // Unique member per request: two requests in the same millisecond must both count.
    const member = `${t}:${crypto.randomUUID()}:${seq++}`;
    return [keyOf(key), String(t), String(rule.windowMs), String(rule.limit), member];
  };
  const result = (reply: unknown, rule: RateLimitRule): RateLimitResult => {
    const [allowed, remaining, retry] = reply as [number, number, number];
    return { allowed: allowed === 1, remaining: Number(remaining), retryAfterMs: Number(retry), limit: rule.limit };
  };
  return {
    async check(key, rule) {
      const a = args(key, rule);
      return result(await scriptOn<ScriptCall>(redis, COMMAND)(...a), rule);
    },
    queue(batch, key, rule) {
      void scriptOn<ScriptCall>(batch, COMMAND)(...args(key, rule));
      return (reply) => result(reply, rule);
    },
    async reset(key) {
      await redis.del(keyOf(key));
    },
  };
}
