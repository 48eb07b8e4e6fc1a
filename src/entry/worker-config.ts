import { ConfigError, parseConfig, type Config } from '../config.js';

/** Vars, secrets and bindings of the Worker (wrangler.toml `[vars]`, `wrangler secret put`). */
export type WorkerEnv = Record<string, unknown>;

/** Config as the Worker needs it: the addresses it cannot start itself are present. */
export type WorkerConfig = Config & { MEILI_URL: string; REDIS_URL: string };

const cache = new WeakMap<object, WorkerConfig>();

/**
 * Parse the Worker's env with the one config schema, once per isolate (the env object is
 * stable for an isolate's life). Throws {@link ConfigError} naming each bad or missing variable:
 * the Worker has nothing to spawn, so `MEILI_URL` and `REDIS_URL` are required.
 * @example workerConfig({ MEILI_URL: 'https://meili.example.org', REDIS_URL: 'rediss://r:6380' }).INDEX_NAME === 'passages'
 */
export function workerConfig(env: WorkerEnv): WorkerConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  const missing = [
    ...(config.MEILI_URL ? [] : ['MEILI_URL: required on Cloudflare Workers (the Worker cannot start Meilisearch)']),
    ...(config.REDIS_URL ? [] : ['REDIS_URL: required on Cloudflare Workers (the Worker cannot start Redis)']),
  ];
  if (missing.length) throw new ConfigError(missing);
  const ready = config as WorkerConfig;
  cache.set(env, ready);
  return ready;
}
