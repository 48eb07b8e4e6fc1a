/**
 * Cloudflare Workers entry: the same `createApp(services)` as the Node server, with services
 * built from the Worker's vars/secrets through the same `parseConfig` and `createServices`.
 *
 * - Data files (departments, intents) are bundled at build time and parsed once per isolate;
 *   the retriever (fetch-based, caches the query model) is kept per isolate too.
 * - The panel's vendor files come from the `[assets]` binding `ASSETS`.
 * - The Redis client is created per request and closed after it: workerd does not let a socket
 *   opened in one request's context be used from another (a module-level client hangs).
 * - Meilisearch and Redis are reached over the network; nothing is spawned here. The outbox
 *   consumer and the WeChat bot run in a Node worker process (docs/deployment.md).
 */
import type { ExecutionContext } from 'hono';
import { Meilisearch } from 'meilisearch';
import * as data from 'yihaoda-worker-data';
import { createApp } from '../app.js';
import { systemClock } from '../clock.js';
import { ConfigError } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { createCachedRetriever } from '../retrieval/cache.js';
import { createMeiliRetriever } from '../retrieval/retriever.js';
import type { Retriever } from '../retrieval/types.js';
import { createServices, parseServiceData, type ServiceInputs, type Services } from '../services.js';
import { createRedis, type Redis } from '../store/redis.js';
import { createWorkerStaticAssets, type AssetsBinding } from './worker-assets.js';
import { workerConfig, type WorkerConfig, type WorkerEnv } from './worker-config.js';

// Pure data: safe to keep per isolate. A bad file throws here, so it fails `wrangler deploy`
// (Cloudflare runs the module's top level at upload) rather than the first citizen's request.
const parsedData = parseServiceData(data);

const retrievers = new WeakMap<WorkerConfig, Retriever>();

/**
 * One retriever per isolate: it caches the query model (term statistics, synonyms) it reads
 * from Meilisearch, which would otherwise cost two extra round trips on every chat turn. Safe to
 * share: the search client holds no socket, each call is a plain `fetch`.
 */
function isolateRetriever(config: WorkerConfig): Retriever {
  let retriever = retrievers.get(config);
  if (!retriever) {
    const client = new Meilisearch({ host: config.MEILI_URL, apiKey: config.MEILI_MASTER_KEY, timeout: config.MEILI_TIMEOUT_MS });
    retriever = createCachedRetriever(createMeiliRetriever(client, config.INDEX_NAME), { ttlMs: config.SEARCH_CACHE_TTL_MS });
    retrievers.set(config, retriever);
  }
  return retriever;
}

/**
 * The request's ExecutionContext, remembering what the app hands to `waitUntil`, so the
 * per-request Redis client is closed only after that background work has settled.
 */
function trackingContext(ctx: ExecutionContext) {
  const pending: Promise<unknown>[] = [];
  const tracked: ExecutionContext = {
    waitUntil(promise) {
      pending.push(promise);
      ctx.waitUntil(promise);
    },
    passThroughOnException: () => ctx.passThroughOnException(),
    props: ctx.props,
  };
  const settled = async () => {
    for (let seen = 0; seen < pending.length; ) {
      const batch = pending.slice(seen);
      seen = pending.length;
      await Promise.allSettled(batch);
    }
  };
  return { ctx: tracked, settled };
}

const warnedWhileBuilding = new Set<string>();

/**
 * `createServices` with the warnings it logs while wiring (a missing holiday calendar year,
 * say) reported once per isolate instead of on every request. Later warnings pass through.
 */
function createRequestServices(inputs: ServiceInputs): Services {
  let building = true;
  const base = inputs.logger;
  const logger: Logger = {
    ...base,
    warn(msg, fields) {
      if (building && warnedWhileBuilding.has(msg)) return;
      if (building) warnedWhileBuilding.add(msg);
      base.warn(msg, fields);
    },
  };
  try {
    return createServices({ ...inputs, logger });
  } finally {
    building = false;
  }
}

async function closeRedis(redis: Redis): Promise<void> {
  // A client that never connected (e.g. for /healthz or the chat page) has nothing to close.
  if (redis.status === 'wait' || redis.status === 'end') return;
  // QUIT goes after any command already queued, so replies in flight are not cut off.
  await redis.quit().catch(() => redis.disconnect());
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let config: WorkerConfig;
    try {
      config = workerConfig(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      return Response.json({ error: { code: 'misconfigured', message: '服务配置有误，请联系管理员' } }, { status: 500 });
    }
    // lazyConnect: requests that never touch Redis (page, assets, /healthz) open no socket.
    const redis = createRedis(config.REDIS_URL, { lazyConnect: true });
    const services = createRequestServices({
      ...parsedData,
      config,
      clock: systemClock,
      logger: createLogger(config.LOG_LEVEL),
      redis,
      meili: { url: config.MEILI_URL, apiKey: config.MEILI_MASTER_KEY },
      retriever: isolateRetriever(config),
      ...(env.ASSETS ? { assets: createWorkerStaticAssets(env.ASSETS as AssetsBinding) } : {}),
    });
    const tracking = trackingContext(ctx);
    try {
      return await createApp(services).fetch(request, env, tracking.ctx);
    } finally {
      ctx.waitUntil(tracking.settled().then(() => closeRedis(redis)));
    }
  },
};
