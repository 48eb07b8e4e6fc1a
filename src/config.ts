import { z } from 'zod';

/** Empty strings in env count as "not set", so `FOO=` behaves like an absent variable. */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional());
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
/** `id:sha256hex` pairs, comma-separated: tokens are stored only as digests. */
const TOKEN_LIST = /^[a-z0-9][a-z0-9_.-]*:[0-9a-f]{64}(,[a-z0-9][a-z0-9_.-]*:[0-9a-f]{64})*$/;
const TOKEN_LIST_MESSAGE = 'want comma-separated id:sha256hex pairs (npm run token:new prints one)';

/**
 * The one schema for every setting. Parsed once at start-up (Node) or per request (Workers);
 * a bad value stops the process naming the variable.
 */
export const configSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().min(1).default('::'),
  MEILI_URL: optionalString.pipe(z.url().optional()),
  MEILI_MASTER_KEY: optionalString,
  REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional()),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]*$/).default('yhd:'),
  /**
   * Redis Sentinel (high availability): comma-separated `host:port` of the sentinels. When set,
   * the primary named REDIS_SENTINEL_NAME is asked of them (and again after a failover);
   * REDIS_URL then only supplies credentials and database, if any.
   */
  REDIS_SENTINELS: optionalString.pipe(z.string().regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'want host:port[,host:port…]').optional()),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  DATA_DIR: z.string().min(1).default('./data'),
  KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
  INTENTS_DIR: z.string().min(1).default('./intents'),
  INDEX_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/).default('passages'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  SESSION_TTL_SECONDS: positiveInt.default(1800),
  PUBLIC_BASE_URL: optionalString.pipe(z.url().optional()),
  /**
   * 32-byte key (64 hex digits or base64) for encrypting citizen contact details at rest. When
   * unset, the Node entry creates one in DATA_DIR/case-encryption.key and keeps it there.
   */
  CASE_ENCRYPTION_KEY: optionalString.pipe(
    z.string().regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex digits or base64').optional(),
  ),
  /** Hotline agents' API tokens as comma-separated `agentId:sha256hex` pairs (`npm run token:new`). */
  AGENT_TOKENS: optionalString.pipe(z.string().regex(TOKEN_LIST, TOKEN_LIST_MESSAGE).optional()),
  /** Departments' API tokens as comma-separated `departmentId:sha256hex` pairs (`npm run token:new`). */
  DEPT_TOKENS: optionalString.pipe(z.string().regex(TOKEN_LIST, TOKEN_LIST_MESSAGE).optional()),
  /** Admin tokens (all agent rights), `adminId:sha256hex` pairs. */
  ADMIN_TOKENS: optionalString.pipe(z.string().regex(TOKEN_LIST, TOKEN_LIST_MESSAGE).optional()),
  /** Working days to reply per case type, e.g. `consult=3,help=5,complain=5,report=15,suggest=15`. */
  CASE_DEADLINE_DAYS: z.string()
    .regex(/^((consult|help|complain|report|suggest)=[1-9]\d{0,2})(,(consult|help|complain|report|suggest)=[1-9]\d{0,2})*$/, 'want type=days pairs (types consult/help/complain/report/suggest, days 1-999), e.g. consult=3,report=15')
    .default('consult=3,help=5,complain=5,report=15,suggest=15'),
  /** Working days a department has to sign for (签收) a dispatched case. */
  CASE_ACCEPT_WORKING_DAYS: positiveInt.default(1),
  /** A case is "near due" (催办 allowed) during its last N working days. */
  CASE_NEAR_DUE_WORKING_DAYS: positiveInt.default(1),
  /** Corrections to the holiday calendar, e.g. for a year the library does not cover yet: `2027-01-01=off,2027-02-07=work`. */
  CASE_CALENDAR_OVERRIDES: optionalString.pipe(
    z.string().regex(/^\d{4}-\d{2}-\d{2}=(off|work)(,\d{4}-\d{2}-\d{2}=(off|work))*$/, 'want YYYY-MM-DD=off|work pairs').optional(),
  ),
  /** Department webhook delivery: attempts before dead-lettering, and the first retry delay (doubling, max 10 min). */
  CASE_WEBHOOK_MAX_ATTEMPTS: positiveInt.default(12),
  CASE_WEBHOOK_BACKOFF_MS: positiveInt.default(2_000),
  LOG_RETENTION_DAYS: positiveInt.default(180),
  /** Chat turns one session may send per minute (`POST /api/chat`). */
  CHAT_RATE_PER_MINUTE: positiveInt.default(60),
  /** Chat turns one client IP may send per minute (generous: many citizens share an office NAT). */
  CHAT_RATE_PER_IP_PER_MINUTE: positiveInt.default(300),
  /** Distinct chat sessions one client IP may hold within SESSION_TTL_SECONDS. */
  SESSIONS_PER_IP: positiveInt.default(100),
  /** `POST /login` attempts (right or wrong) per client IP per minute, on top of the failure lock-out. */
  LOGIN_RATE_PER_IP_PER_MINUTE: positiveInt.default(20),
  /**
   * How many reverse proxies in front of the service append to `X-Forwarded-For`. 0 (default):
   * ignore the header, the TCP peer is the client. N: the client is the N-th address from the right.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Node server: time to receive a request's headers / whole request; idle keep-alive. */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_KEEPALIVE_TIMEOUT_MS: positiveInt.default(5_000),
  /** Meilisearch client timeout: a hung search engine turns into an apology within this time. */
  MEILI_TIMEOUT_MS: positiveInt.default(1_500),
  /** Reuse a search result for an identical question for this long (0 = off); see src/retrieval/cache.ts. */
  SEARCH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  WECHATY_PUPPET: optionalString,
  WECHATY_PUPPET_SERVICE_TOKEN: optionalString,
  /**
   * HMAC key that turns WeChat contact ids into pseudonymous citizen references. Keep it stable:
   * changing it orphans the contact mapping of open cases.
   */
  WECHAT_REF_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Messages one WeChat contact may send per minute before the bot asks them to slow down. */
  WECHAT_RATE_PER_MINUTE: positiveInt.default(12),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse settings from an env-like record; throws {@link ConfigError} naming each bad variable.
 * @example parseConfig({ PORT: '8080' }).PORT === 8080
 */
export function parseConfig(env: Record<string, unknown>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}
