import type { Redis } from '../store/redis.js';
import type { Account, UserRole } from './accounts.js';

/** A signed-in panel user, as kept in Redis behind the session cookie. */
export interface UserSession {
  username: string;
  role: UserRole;
  dept?: string;
  displayName?: string;
  /** Per-session CSRF token: forms send it as `_csrf`, scripts as `x-csrf-token`. */
  csrf: string;
  createdAt: string;
}

export interface UserSessionStore {
  /** Start a session; returns the opaque id to put in the cookie. */
  create(account: Account): Promise<{ id: string; session: UserSession }>;
  /** The session for a cookie value, sliding its idle timeout; undefined when unknown/expired. */
  get(id: string): Promise<UserSession | undefined>;
  destroy(id: string): Promise<void>;
  /** End every session of a user (password change, account disabled). */
  destroyAllOf(username: string): Promise<void>;
}

export interface UserSessionOptions {
  /** Idle timeout, refreshed on every request. */
  idleSeconds: number;
  /** Hard limit from sign-in, however active the session is. */
  absoluteSeconds: number;
}

export const DEFAULT_SESSION_OPTIONS: UserSessionOptions = { idleSeconds: 8 * 3600, absoluteSeconds: 12 * 3600 };

/** 32 random bytes, base64url: the cookie value and CSRF tokens. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 hex: Redis keys hold the digest of the cookie value, so a Redis dump holds no usable session. */
async function digest(s: string): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time string comparison for tokens. */
export function tokensEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Sessions in Redis: `<prefix>usess:<sha256(id)>` with a TTL, plus a per-user set for sign-out everywhere. */
export function createRedisUserSessionStore(
  redis: Redis,
  prefix: string,
  now: () => Date,
  opts: UserSessionOptions = DEFAULT_SESSION_OPTIONS,
): UserSessionStore {
  const key = (d: string) => `${prefix}usess:${d}`;
  const userKey = (u: string) => `${prefix}usess-of:${u}`;
  return {
    async create(account) {
      const id = randomToken();
      const session: UserSession = {
        username: account.username,
        role: account.role,
        ...(account.dept ? { dept: account.dept } : {}),
        ...(account.displayName ? { displayName: account.displayName } : {}),
        csrf: randomToken(),
        createdAt: now().toISOString(),
      };
      const d = await digest(id);
      await redis
        .multi()
        .set(key(d), JSON.stringify(session), 'EX', opts.idleSeconds)
        .sadd(userKey(account.username), d)
        .expire(userKey(account.username), opts.absoluteSeconds)
        .exec();
      return { id, session };
    },
    async get(id) {
      if (!TOKEN_RE.test(id)) return undefined;
      const k = key(await digest(id));
      const raw = await redis.get(k);
      if (!raw) return undefined;
      const session = JSON.parse(raw) as UserSession;
      const age = (now().getTime() - Date.parse(session.createdAt)) / 1000;
      if (age > opts.absoluteSeconds) {
        await redis.del(k);
        return undefined;
      }
      await redis.expire(k, Math.max(1, Math.min(opts.idleSeconds, Math.ceil(opts.absoluteSeconds - age))));
      return session;
    },
    async destroy(id) {
      if (!TOKEN_RE.test(id)) return;
      const d = await digest(id);
      const raw = await redis.get(key(d));
      await redis.del(key(d));
      if (raw) await redis.srem(userKey((JSON.parse(raw) as UserSession).username), d);
    },
    async destroyAllOf(username) {
      const digests = await redis.smembers(userKey(username));
      if (digests.length) await redis.del(...digests.map(key));
      await redis.del(userKey(username));
    },
  };
}

/** Sign-in attempt limits: failures per username and per client address in a window. */
export interface LoginLimits {
  windowSeconds: number;
  perUser: number;
  perClient: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowSeconds: 15 * 60, perUser: 5, perClient: 50 };

export interface LoginRateLimiter {
  /** Seconds to wait if blocked, else 0. Checked before the (slow) password verification. */
  blockedFor(username: string, client: string): Promise<number>;
  recordFailure(username: string, client: string): Promise<void>;
  recordSuccess(username: string): Promise<void>;
}

/** Fixed-window failure counters in Redis, shared by every service process. */
export function createRedisLoginRateLimiter(redis: Redis, prefix: string, limits: LoginLimits = DEFAULT_LOGIN_LIMITS): LoginRateLimiter {
  // The typed name is hashed: it may be a password typed into the wrong field.
  const userKey = async (u: string) => `${prefix}login-fail:u:${(await digest(u.toLowerCase())).slice(0, 32)}`;
  const clientKey = (c: string) => `${prefix}login-fail:c:${c}`;
  return {
    async blockedFor(name, client) {
      const nameKey = await userKey(name);
      const [[, u], [, cl]] = (await redis.multi().get(nameKey).get(clientKey(client)).exec()) as [[null, string | null], [null, string | null]];
      const over: string[] = [];
      if (Number(u ?? 0) >= limits.perUser) over.push(nameKey);
      if (Number(cl ?? 0) >= limits.perClient) over.push(clientKey(client));
      if (!over.length) return 0;
      const ttls = await Promise.all(over.map((k) => redis.ttl(k)));
      return Math.max(1, ...ttls);
    },
    async recordFailure(name, client) {
      const nameKey = await userKey(name);
      await redis
        .multi()
        // SET NX starts the window once; INCR keeps the TTL.
        .set(nameKey, '0', 'EX', limits.windowSeconds, 'NX')
        .incr(nameKey)
        .set(clientKey(client), '0', 'EX', limits.windowSeconds, 'NX')
        .incr(clientKey(client))
        .exec();
    },
    async recordSuccess(name) {
      await redis.del(await userKey(name));
    },
  };
}
