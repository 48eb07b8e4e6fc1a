import { Meilisearch } from 'meilisearch';
import { createRedisAccountStore, type AccountStore } from './auth/accounts.js';
import { createRedisLoginRateLimiter, createRedisUserSessionStore, type LoginRateLimiter, type UserSessionStore } from './auth/session.js';
import { sessionPrincipalResolver } from './auth/session-http.js';
import { bearerTokenResolver, tokenEntriesFromConfig } from './auth/bearer.js';
import type { PrincipalResolver } from './auth/principal.js';
import { caseGatewayFor, casesFromConfig } from './cases/wiring.js';
import type { CaseService } from './cases/service.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { createRedisSessionStore, type SessionStore } from './dialogue/session-store.js';
import type { Classification, DialogueDeps } from './dialogue/engine.js';
import type { CaseGateway } from './dialogue/runner.js';
import { createIntentClassifier, parseIntentFiles } from './intents/index.js';
import { parseDepartments, type DepartmentDirectory } from './knowledge/departments.js';
import type { Logger } from './logger.js';
import { createRedisCitizenOutbox, type CitizenOutbox } from './notify/citizen-outbox.js';
import { createMeiliPassageLookup, type PassageLookup } from './panel/search-model.js';
import type { StaticAssets } from './panel/static-assets.js';
import { createCachedRetriever } from './retrieval/cache.js';
import { ANSWER_THRESHOLD, createMeiliRetriever, SUGGEST_THRESHOLD, SUGGEST_THRESHOLD_WITH_VOCABULARY } from './retrieval/retriever.js';
import type { Retriever } from './retrieval/types.js';
import { createRedisRoutingModelStore } from './routing/store.js';
import { createRoutingService, type RoutingService } from './routing/service.js';
import type { Redis } from './store/redis.js';
import { createTopicService, type TopicService } from './topics/service.js';

/** Everything the app needs, built once (Node) or per request (Workers) and passed in. */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  redis: Redis;
  meili: Meilisearch;
  retriever: Retriever;
  directory: DepartmentDirectory;
  sessions: SessionStore;
  /** Late messages back to citizens on their own channel. */
  outbox: CitizenOutbox;
  dialogue: DialogueDeps;
  /** The case system as the dialogue sees it; absent until cases are configured. */
  caseGateway?: CaseGateway;
  /** Cases (工单): creation, workflow, lookups, KPIs. */
  cases: CaseService;
  /** How staff API callers are identified; resolvers are tried in order (bearer tokens first). */
  auth: { resolvers: PrincipalResolver[] };
  /** Panel users (agent / dept / admin), their cookie sessions and sign-in throttling. */
  accounts: AccountStore;
  userSessions: UserSessionStore;
  loginLimiter: LoginRateLimiter;
  /** Whole documents and interpretation links for the agent panel. */
  passages: PassageLookup;
  /** Large static files (ECharts); from node_modules on Node, Wrangler [assets] on Workers. */
  assets?: StaticAssets;
  /** Question log (masked), topics, trends and interpretation suggestions. */
  topics: TopicService;
  /** Department routing: the directory plus the model learned by `import:history` (see `reload`). */
  routing: RoutingService;
  /** Liveness of the dependencies, for /readyz. */
  readiness(): Promise<Record<string, boolean>>;
}

export interface ServiceInputs {
  config: Config;
  clock: Clock;
  logger: Logger;
  redis: Redis;
  /** `httpClient`: optional transport for the search client (Node passes a faster one than `fetch`). */
  meili: { url: string; apiKey?: string; httpClient?: (...args: Parameters<typeof fetch>) => Promise<unknown> };
  directory: DepartmentDirectory;
  classify: DialogueDeps['classify'];
  assets?: StaticAssets;
  /**
   * A retriever to reuse instead of building one. The Worker builds services per request but
   * keeps one retriever per isolate, so its query model is not re-fetched on every request.
   */
  retriever?: Retriever;
}

/** A data file's repository-relative path (for error messages) and its text. */
export interface TextFile {
  file: string;
  text: string;
}

/**
 * The data folders as text: read from disk by the Node side, bundled into the Worker by
 * `scripts/build-worker-data.ts`. Both runtimes parse them with {@link parseServiceData}.
 */
export interface ServiceData {
  departments: TextFile;
  /** Every `intents/*.yaml`. */
  intents: TextFile[];
}

/**
 * Parse the data files into the pure parts of {@link ServiceInputs}. Done once per process
 * (Node) or per isolate (Workers); throws naming the file on bad data. The one place data
 * becomes services, so the two runtimes cannot drift apart.
 */
export function parseServiceData(data: ServiceData): Pick<ServiceInputs, 'directory' | 'classify'> {
  // Trained once here (deterministic, from intents/ only), not per request.
  const classifier = createIntentClassifier(parseIntentFiles(data.intents));
  return {
    directory: parseDepartments(data.departments.text, data.departments.file),
    classify: (text): Classification => {
      const r = classifier.classify(text);
      return { intent: r.intent, confidence: r.confidence };
    },
  };
}

/**
 * Wire the services from already-resolved inputs. Free of Node APIs so the Workers entry can
 * use it too; the Node entry resolves the inputs (spawning Meilisearch/Redis, reading files).
 */
export function createServices(inputs: ServiceInputs): Services {
  const { config, clock, logger, redis, directory } = inputs;
  // Indexing may send large batches: a generous timeout. Searches and health checks get their
  // own client with a short one, so a hung Meilisearch becomes an apology within MEILI_TIMEOUT_MS.
  const meili = new Meilisearch({ host: inputs.meili.url, apiKey: inputs.meili.apiKey, timeout: 30_000 });
  const searchClient = new Meilisearch({
    host: inputs.meili.url,
    apiKey: inputs.meili.apiKey,
    timeout: config.MEILI_TIMEOUT_MS,
    ...(inputs.meili.httpClient ? { httpClient: inputs.meili.httpClient } : {}),
  });
  const retriever = inputs.retriever ?? createCachedRetriever(createMeiliRetriever(searchClient, config.INDEX_NAME), { ttlMs: config.SEARCH_CACHE_TTL_MS });
  const sessions = createRedisSessionStore(redis, config.REDIS_PREFIX, config.SESSION_TTL_SECONDS);
  const outbox = createRedisCitizenOutbox(redis, config.REDIS_PREFIX, () => clock.now());
  const cases = casesFromConfig({ config, redis, directory, outbox, clock, logger });
  const caseGateway = caseGatewayFor(cases);
  const routing = createRoutingService(directory, createRedisRoutingModelStore(redis, config.REDIS_PREFIX));
  return {
    config,
    clock,
    logger,
    redis,
    meili,
    retriever,
    directory,
    sessions,
    outbox,
    cases,
    caseGateway,
    auth: { resolvers: [bearerTokenResolver(tokenEntriesFromConfig(config, directory)), sessionPrincipalResolver] },
    accounts: createRedisAccountStore(redis, config.REDIS_PREFIX),
    userSessions: createRedisUserSessionStore(redis, config.REDIS_PREFIX, () => clock.now()),
    loginLimiter: createRedisLoginRateLimiter(redis, config.REDIS_PREFIX),
    passages: createMeiliPassageLookup(meili, config.INDEX_NAME),
    topics: createTopicService(redis, {
      prefix: config.REDIS_PREFIX,
      retentionDays: config.LOG_RETENTION_DAYS,
      now: () => clock.now(),
      departmentName: (id) => directory.get(id)?.name,
    }),
    routing,
    ...(inputs.assets ? { assets: inputs.assets } : {}),
    dialogue: {
      classify: inputs.classify,
      route: (text) => routing.route(text),
      retriever,
      answerThreshold: ANSWER_THRESHOLD,
      suggestThreshold: SUGGEST_THRESHOLD,
      suggestWithVocabularyThreshold: SUGGEST_THRESHOLD_WITH_VOCABULARY,
      departmentName: (id) => directory.get(id)?.name,
      lookupCase: (number, citizenRef) => caseGateway.lookup(number, citizenRef),
      now: () => clock.now(),
    },
    async readiness() {
      const [meiliOk, indexOk, redisOk] = await Promise.all([
        searchClient.isHealthy().catch(() => false),
        searchClient.index(config.INDEX_NAME).getStats().then((s) => s.numberOfDocuments > 0).catch(() => false),
        redis.ping().then((r) => r === 'PONG').catch(() => false),
      ]);
      return { meilisearch: meiliOk, index: indexOk, redis: redisOk };
    },
  };
}
