import type { ChainableCommander } from 'ioredis';
import { defineScript, scriptOn, type RateLimitResult, type RateLimitRule } from '../ratelimit/rate-limiter.js';
import type { Redis } from '../store/redis.js';

/**
 * How many distinct sessions one owner (an IP) holds. Not a request rate — a client that keeps
 * using its sessions is never limited, one that opens a new session per request is. (The generic
 * sliding-window limiter counts requests, so it cannot tell the two apart.)
 */
export interface SessionQuota {
  /** Admit `member` for `owner`: allowed if it is already held, or fewer than `limit` are held within the window. */
  admit(owner: string, member: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Would a new member be admitted now? Records nothing (for a session whose id is not known yet). */
  wouldAdmit(owner: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /**
   * `admit` (with a member) or `wouldAdmit` (without), queued on `batch` to share its round trip;
   * after `batch.exec()`, pass this command's reply to the returned function.
   */
  queue(batch: ChainableCommander, owner: string, member: string | undefined, rule: RateLimitRule): (reply: unknown) => RateLimitResult;
}

/**
 * One sorted set per owner, members scored by last use; stale members fall out of the window.
 * Atomic in one Lua script so concurrent processes agree.
 */
const ADMIT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
local dry = ARGV[5] == '1'
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local held = false
if not dry then held = redis.call('ZSCORE', key, member) end
local count = redis.call('ZCARD', key)
if held or count < limit then
  if dry then return {1, limit - count - 1, 0} end
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  if not held then count = count + 1 end
  return {1, limit - count, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
if retry < 1 then retry = 1 end
return {0, 0, retry}`;

const COMMAND = 'yhdSessionQuota';
type ScriptCall = (key: string, now: string, windowMs: string, limit: string, member: string, dry: string) => Promise<unknown>;

export function createRedisSessionQuota(redis: Redis, opts: { prefix: string; now?: () => number }): SessionQuota {
  const now = opts.now ?? (() => Date.now());
  defineScript(redis, COMMAND, 1, ADMIT);
  const args = (owner: string, member: string, rule: RateLimitRule, dry: boolean): Parameters<ScriptCall> => {
    if (!Number.isInteger(rule.limit) || rule.limit < 1) throw new RangeError('session quota must be a positive integer');
    return [`${opts.prefix}sq:${owner}`, String(Math.floor(now())), String(rule.windowMs), String(rule.limit), member, dry ? '1' : '0'];
  };
  const result = (reply: unknown, rule: RateLimitRule): RateLimitResult => {
    const [allowed, remaining, retry] = reply as [number, number, number];
    return { allowed: allowed === 1, remaining: Math.max(0, Number(remaining)), retryAfterMs: Number(retry), limit: rule.limit };
  };
  const run = async (owner: string, member: string, rule: RateLimitRule, dry: boolean): Promise<RateLimitResult> => {
    const a = args(owner, member, rule, dry);
    return result(await scriptOn<ScriptCall>(redis, COMMAND)(...a), rule);
  };
  return {
    admit: (owner, member, rule) => run(owner, member, rule, false),
    wouldAdmit: (owner, rule) => run(owner, '', rule, true),
    queue(batch, owner, member, rule) {
      void scriptOn<ScriptCall>(batch, COMMAND)(...args(owner, member ?? '', rule, member === undefined));
      return (reply) => result(reply, rule);
    },
  };
}
