import { ConfigError, parseConfig, type Config } from '../config.js';

/** Vars, secrets and bindings of the Worker (wrangler.toml `[vars]`, `wrangler secret put`). */
export type WorkerEnv = Record<string, unknown>;

/** Config as the Worker needs it: what it cannot start or generate itself is present. */
export type WorkerConfig = Config & { MEILI_URL: string; REDIS_URL: string; CASE_ENCRYPTION_KEY: string };

const cache = new WeakMap<object, WorkerConfig>();

/**
 * Parse the Worker's env with the one config schema, once per isolate (the env object is
 * stable for an isolate's life). Throws {@link ConfigError} naming each bad or missing variable.
 * The Worker has nothing to spawn and no disk, so `MEILI_URL`, `REDIS_URL` and
 * `CASE_ENCRYPTION_KEY` are required (the Node entry can fall back to a key kept in DATA_DIR;
 * a Worker's fallback would be a new random key per request, making stored contacts unreadable).
 */
export function workerConfig(env: WorkerEnv): WorkerConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  const missing = [
    ...(config.MEILI_URL ? [] : ['MEILI_URL: required on Cloudflare Workers (the Worker cannot start Meilisearch)']),
    ...(config.REDIS_URL ? [] : ['REDIS_URL: required on Cloudflare Workers (the Worker cannot start Redis)']),
    ...(config.CASE_ENCRYPTION_KEY
      ? []
      : ['CASE_ENCRYPTION_KEY: required on Cloudflare Workers (set it with `wrangler secret put CASE_ENCRYPTION_KEY`)']),
  ];
  if (missing.length) throw new ConfigError(missing);
  const ready = config as WorkerConfig;
  cache.set(env, ready);
  return ready;
}
