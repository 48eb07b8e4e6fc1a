import type { Context, MiddlewareHandler } from 'hono';
import type { ChainableCommander } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createRedisRateLimiter, type RateLimiter, type RateLimitResult, type RateLimitRule } from '../ratelimit/rate-limiter.js';
import type { Redis } from '../store/redis.js';
import { AppError, type ErrorBody } from './errors.js';
import { createRedisSessionQuota, type SessionQuota } from './limits-sessions.js';

/**
 * The client's IP address.
 * - `trustProxyHops` = 0: the TCP peer (Node: the socket; Workers: `CF-Connecting-IP`, which
 *   Cloudflare sets and clients cannot forge). `X-Forwarded-For` is ignored: anyone can send it.
 * - N > 0: N reverse proxies each append the address they saw to `X-Forwarded-For`, so the
 *   client is the N-th entry from the right; entries further left are client-supplied and
 *   untrusted. A shorter header than expected falls back to its left-most entry.
 */
export function clientIp(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const xff = c.req.header('x-forwarded-for');
    if (xff) {
      const hops = xff.split(',').map((s) => s.trim()).filter(Boolean);
      const ip = hops[Math.max(0, hops.length - trustProxyHops)];
      if (ip) return ip.slice(0, 64);
    }
  }
  // Duck-typed so this module stays free of Node imports (@hono/node-server's bindings).
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  if (env?.incoming) return env.incoming.socket?.remoteAddress ?? 'unknown';
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

/** A 429 in the service's error shape with `Retry-After` in whole seconds (at least 1). */
export function tooManyRequests(c: Context, retryAfterMs: number, message?: string): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const requestId = c.get('requestId' as never) as string | undefined;
  return c.json<ErrorBody>(
    { error: { code: 'rate_limited', message: message ?? `请求过于频繁，请${seconds}秒后再试`, requestId } },
    429,
    { 'Retry-After': String(seconds) },
  );
}

export interface HttpLimitsDeps {
  config: Pick<
    Config,
    | 'CHAT_RATE_PER_MINUTE' | 'CHAT_RATE_PER_IP_PER_MINUTE' | 'SESSIONS_PER_IP' | 'SESSION_TTL_SECONDS'
    | 'LOGIN_RATE_PER_IP_PER_MINUTE' | 'TRUST_PROXY' | 'REDIS_PREFIX'
  >;
  redis: Redis;
  logger: Logger;
  /** Milliseconds since the epoch (the service clock, so tests can move time). */
  now: () => number;
}

export interface HttpLimits {
  /** For `POST /api/chat`: per-IP and per-session turn rates, distinct sessions per IP. */
  chat: MiddlewareHandler;
  /** For `POST /login`: attempts per IP (the failure lock-out lives in `auth/`). */
  login: MiddlewareHandler;
  limiter: RateLimiter;
  sessions: SessionQuota;
}

const MINUTE = 60_000;
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The `sessionId` of a JSON chat body, if there is a well-formed one; never throws on bad JSON. */
async function sessionIdOf(c: Context): Promise<string | undefined> {
  if (!/^application\/json/i.test(c.req.header('content-type') ?? '')) return undefined;
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (err) {
    // Too large (bodyLimit) must stay a 413; malformed JSON is left to the validator's 400.
    if (err instanceof AppError) throw err;
    return undefined;
  }
  const id = (body as { sessionId?: unknown } | null)?.sessionId;
  return typeof id === 'string' && SESSION_ID.test(id) ? id : undefined;
}

/**
 * Rate limits for the public endpoints, counted in Redis so every service process shares them.
 * Fails open: if Redis cannot answer, the request goes on (and is logged) — the limiter must not
 * turn a Redis hiccup into an outage of the chat.
 *
 * @example
 * const limits = createHttpLimits({ config, redis, logger, now: () => clock.now().getTime() });
 * app.use('/api/chat', limits.chat);
 */
export function createHttpLimits(deps: HttpLimitsDeps): HttpLimits {
  const { config, logger } = deps;
  const limiter = createRedisRateLimiter(deps.redis, { prefix: config.REDIS_PREFIX, now: deps.now });
  const sessions = createRedisSessionQuota(deps.redis, { prefix: config.REDIS_PREFIX, now: deps.now });
  const sessionWindowMs = config.SESSION_TTL_SECONDS * 1000;

  // One warning per 10 s at most: during a Redis outage every request would log otherwise.
  let lastWarn = 0;
  const warn = (what: string, err: unknown) => {
    const t = Date.now();
    if (t - lastWarn < 10_000) return;
    lastWarn = t;
    logger.warn('rate limit check failed; allowing requests', { what, err });
  };
  // While the connection is down, don't queue behind ioredis' retries: the request itself
  // will fail or succeed on its own, the limiter must not add seconds to it.
  // ('connecting' still tries: a fresh client is connecting too, and commands queue briefly.)
  const connectionDown = (what: string): boolean => {
    const status = (deps.redis as { status?: string }).status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      warn(what, new Error(`redis connection ${status}`));
      return true;
    }
    return false;
  };
  const failOpen = async (what: string, check: () => Promise<RateLimitResult>): Promise<RateLimitResult | undefined> => {
    if (connectionDown(what)) return undefined;
    try {
      return await check();
    } catch (err) {
      warn(what, err);
      return undefined;
    }
  };
  type Queued = [what: string, queue: (batch: ChainableCommander) => (reply: unknown) => RateLimitResult];
  /**
   * Several checks in one pipeline: one write to Redis and one reply per request instead of one
   * per check (on 2 shared cores each write wakes Redis and costs a context switch). Each check
   * fails open on its own, as with `failOpen`.
   */
  const failOpenAll = async (checks: Array<Queued | undefined>): Promise<Array<RateLimitResult | undefined>> => {
    const live = checks.filter((q): q is Queued => q !== undefined);
    if (!live.length || connectionDown(live[0]![0])) return checks.map(() => undefined);
    let replies: Array<[Error | null, unknown]> = [];
    const parsers: Array<((reply: unknown) => RateLimitResult) | undefined> = [];
    try {
      const batch = deps.redis.pipeline();
      for (const [what, queue] of live) {
        try {
          parsers.push(queue(batch));
        } catch (err) {
          warn(what, err);
          parsers.push(undefined);
        }
      }
      replies = (await batch.exec()) ?? [];
    } catch (err) {
      warn(live[0]![0], err);
      return checks.map(() => undefined);
    }
    let i = 0; // index of the reply: checks that failed to queue sent nothing
    const out = live.map(([what], n) => {
      const parse = parsers[n];
      if (!parse) return undefined;
      const [err, reply] = replies[i++] ?? [new Error('no reply from redis'), undefined];
      if (err) {
        warn(what, err);
        return undefined;
      }
      try {
        return parse(reply);
      } catch (e) {
        warn(what, e);
        return undefined;
      }
    });
    let k = 0;
    return checks.map((q) => (q ? out[k++] : undefined));
  };

  const chat: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const ip = clientIp(c, config.TRUST_PROXY);
    const sessionId = await sessionIdOf(c);
    const quota = { limit: config.SESSIONS_PER_IP, windowMs: sessionWindowMs };
    // A turn without a session id starts a session whose id the route picks: check that the IP
    // has room now, and record the id from the response once it is known.
    const perIp: RateLimitRule = { limit: config.CHAT_RATE_PER_IP_PER_MINUTE, windowMs: MINUTE };
    const perSession: RateLimitRule = { limit: config.CHAT_RATE_PER_MINUTE, windowMs: MINUTE };
    const results = await failOpenAll([
      ['chat ip', (b) => limiter.queue(b, `chat:ip:${ip}`, perIp)],
      sessionId ? ['chat session', (b) => limiter.queue(b, `chat:s:${sessionId}`, perSession)] : undefined,
      ['sessions per ip', (b) => sessions.queue(b, `chat:${ip}`, sessionId, quota)],
    ]);
    const denied = results.filter((r): r is RateLimitResult => r !== undefined && !r.allowed);
    if (denied.length) {
      const retry = Math.max(...denied.map((r) => r.retryAfterMs));
      const tooManySessions = results[2] !== undefined && !results[2].allowed && denied.length === 1;
      return tooManyRequests(c, retry, tooManySessions ? '同一网络发起的会话过多，请稍后再试或继续使用已有会话' : undefined);
    }
    await next();
    if (!sessionId && c.res.status === 200) {
      const created = await c.res.clone().json().then((b: { sessionId?: unknown }) => b.sessionId).catch(() => undefined);
      if (typeof created === 'string') await failOpen('sessions per ip', () => sessions.admit(`chat:${ip}`, created, quota));
    }
  };

  const login: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const ip = clientIp(c, config.TRUST_PROXY);
    const r = await failOpen('login ip', () => limiter.check(`login:ip:${ip}`, { limit: config.LOGIN_RATE_PER_IP_PER_MINUTE, windowMs: MINUTE }));
    if (r && !r.allowed) return tooManyRequests(c, r.retryAfterMs, `登录尝试过于频繁，请${Math.max(1, Math.ceil(r.retryAfterMs / 1000))}秒后再试`);
    return next();
  };

  return { chat, login, limiter, sessions };
}
