/**
 * Cloudflare Workers entry: the same `createApp(services)` as the Node server, with services
 * built from the Worker's vars/secrets through the same `parseConfig` and `createServices`.
 *
 * - Data files (departments, intents) are bundled at build time and parsed once per isolate.
 * - The Redis client is created per request and closed after it: workerd does not let a socket
 *   opened in one request's context be used from another (a module-level client hangs).
 * - Meilisearch and Redis are reached over the network; nothing is spawned here. The outbox
 *   consumer and the WeChat bot run in a Node worker process (docs/deployment.md).
 */
import type { ExecutionContext } from 'hono';
import * as data from 'yihaoda-worker-data';
import { createApp } from '../app.js';
import { systemClock } from '../clock.js';
import { ConfigError, parseConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createServices, parseServiceData } from '../services.js';
import { createRedis, type Redis } from '../store/redis.js';

/** Vars, secrets and bindings of the Worker (wrangler.toml `[vars]`, `wrangler secret put`). */
export type WorkerEnv = Record<string, unknown>;

// Pure data: safe to keep per isolate. A bad file throws here, so it fails `wrangler deploy`
// (Cloudflare runs the module's top level at upload) rather than the first citizen's request.
const parsedData = parseServiceData(data);

const configs = new WeakMap<object, Config>();

/** Parse the env once per isolate; the Worker has nothing to spawn, so both URLs are required. */
export function workerConfig(env: WorkerEnv): Config {
  const cached = configs.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  const missing = [
    ...(config.MEILI_URL ? [] : ['MEILI_URL: required on Cloudflare Workers (the Worker cannot start Meilisearch)']),
    ...(config.REDIS_URL ? [] : ['REDIS_URL: required on Cloudflare Workers (the Worker cannot start Redis)']),
  ];
  if (missing.length) throw new ConfigError(missing);
  configs.set(env, config);
  return config;
}

async function closeRedis(redis: Redis): Promise<void> {
  // A client that never connected (e.g. for /healthz or the chat page) has nothing to close.
  if (redis.status === 'wait' || redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let config: Config;
    try {
      config = workerConfig(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      return Response.json({ error: { code: 'misconfigured', message: '服务配置有误，请联系管理员' } }, { status: 500 });
    }
    // lazyConnect: requests that never touch Redis (page, assets, /healthz) open no socket.
    const redis = createRedis(config.REDIS_URL!, { lazyConnect: true });
    const services = createServices({
      ...parsedData,
      config,
      clock: systemClock,
      logger: createLogger(config.LOG_LEVEL),
      redis,
      meili: { url: config.MEILI_URL!, apiKey: config.MEILI_MASTER_KEY },
    });
    try {
      return await createApp(services).fetch(request, env, ctx);
    } finally {
      ctx.waitUntil(closeRedis(redis));
    }
  },
};
