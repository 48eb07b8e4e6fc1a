import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { chunkDocument } from '../knowledge/chunk.js';
import { createLogger, type Logger } from '../logger.js';
import { syncPassageIndex } from '../retrieval/indexer.js';
import { EMPTY_SYNONYMS, parseSynonyms, type SynonymSet } from '../retrieval/synonyms.js';
import { createServices, parseServiceData, type Services } from '../services.js';
import { createMemoryRedis, createRedis, type Redis } from '../store/redis.js';
import { createSentinelRedis } from '../store/redis-sentinel.js';
import { withCaseEncryptionKey } from './case-key.js';
import { loadKnowledgeDir } from './knowledge-fs.js';
import { startTopicRetention } from './topic-retention.js';
import { startMeilisearch, type MeiliProcess } from './meili-process.js';
import { createNodeMeiliHttpClient } from './meili-http.js';
import { redisServerAvailable, startRedis, type RedisProcess } from './redis-process.js';
import { createNodeStaticAssets } from './static-assets.js';
import { readServiceData } from './service-data.js';

export interface NodeRuntime {
  services: Services;
  /** Stop what we started, in reverse order. */
  close(): Promise<void>;
}

async function resolveMeili(config: Config, logger: Logger, stack: Array<() => Promise<void>>) {
  if (config.MEILI_URL) return { url: config.MEILI_URL, apiKey: config.MEILI_MASTER_KEY };
  logger.info('MEILI_URL not set: starting the embedded Meilisearch');
  const meili: MeiliProcess = await startMeilisearch({
    dataDir: join(resolve(config.DATA_DIR), 'meilisearch'),
    masterKey: config.MEILI_MASTER_KEY,
    log: (line) => logger.debug('meilisearch', { line }),
  });
  stack.push(() => meili.stop());
  logger.info('embedded Meilisearch ready', { url: meili.url });
  return { url: meili.url, apiKey: meili.masterKey };
}

async function resolveRedis(config: Config, logger: Logger, stack: Array<() => Promise<void>>): Promise<Redis> {
  if (config.REDIS_SENTINELS) {
    logger.info('connecting to Redis through Sentinel', { primary: config.REDIS_SENTINEL_NAME });
    return createSentinelRedis({ sentinels: config.REDIS_SENTINELS, name: config.REDIS_SENTINEL_NAME, url: config.REDIS_URL });
  }
  if (config.REDIS_URL) return createRedis(config.REDIS_URL);
  if (!redisServerAvailable()) {
    logger.warn(
      '!!! redis-server is not installed and REDIS_URL is not set: using an IN-MEMORY store. ' +
        'Cases, sessions and logs will NOT survive a restart. Install redis-server (apt-get install redis-server) or set REDIS_URL.',
    );
    return createMemoryRedis();
  }
  logger.info('REDIS_URL not set: starting redis-server with AOF');
  const proc: RedisProcess = await startRedis({ dataDir: join(resolve(config.DATA_DIR), 'redis') });
  stack.push(() => proc.stop());
  logger.info('embedded Redis ready', { url: proc.url });
  return createRedis(proc.url);
}

/** Index `knowledge/` if the live index is missing or its content changed. */
export async function indexKnowledge(services: Services, knowledgeDir: string): Promise<void> {
  const { docs, errors } = loadKnowledgeDir(knowledgeDir);
  for (const e of errors) services.logger.error('knowledge file rejected', { error: e });
  const passages = docs.flatMap(chunkDocument);
  const outcome = await syncPassageIndex(services.meili, services.config.INDEX_NAME, passages, loadSynonyms(knowledgeDir));
  services.logger.info(outcome.indexed ? 'knowledge indexed' : 'knowledge index up to date', {
    documents: docs.length,
    passages: outcome.passages,
  });
  // Interpretations new since the last start: tell the citizens who asked about their topics.
  try {
    const announced = await services.topics.announceInterpretations(
      docs.map((d) => ({ id: d.id, title: d.title, type: d.type, topics: d.topics, issuer: d.issuer, ...(d.source_url ? { url: d.source_url } : {}) })),
      services.outbox,
    );
    for (const a of announced) services.logger.info('new interpretation announced', a);
  } catch (err) {
    services.logger.error('announcing new interpretations failed; will retry at next start', { err });
  }
}

/**
 * Read `synonyms.yaml` from the knowledge folder (colloquial → official terms). A missing file
 * means no synonyms; an invalid one stops start-up with `file:line`.
 */
export function loadSynonyms(knowledgeDir: string): SynonymSet {
  const file = join(knowledgeDir, 'synonyms.yaml');
  if (!existsSync(file)) return EMPTY_SYNONYMS;
  return parseSynonyms(readFileSync(file, 'utf8'), file);
}

/** One keep-alive transport for every search client in the process (see meili-http.ts). */
const nodeMeiliHttpClient = createNodeMeiliHttpClient();

/**
 * Build services from resolved connections plus the data folders on disk (departments,
 * intents). Shared by the entry, scripts and tests so all wire the same way.
 */
export function buildServicesFromDisk(
  config: Config,
  deps: { clock: Clock; logger: Logger; redis: Redis; meili: { url: string; apiKey?: string } },
): Services {
  return createServices({
    ...deps,
    meili: { ...deps.meili, httpClient: nodeMeiliHttpClient },
    config,
    ...parseServiceData(readServiceData(config)),
    assets: createNodeStaticAssets(),
  });
}

/** Load the routing model learned by `import:history`; without one, route by the directory. */
export async function loadRouting(services: Services): Promise<void> {
  try {
    const r = await services.routing.reload();
    services.logger.info(r.historyCount ? 'routing model loaded' : 'no routing history imported: routing by the department directory', r);
  } catch (err) {
    services.logger.error('routing model could not be loaded: routing by the department directory', { err });
  }
}

/**
 * Resolve everything the Node service needs: spawn what is not configured, build services,
 * index the knowledge base.
 */
export async function startNodeRuntime(config: Config, opts: { clock?: Clock; logger?: Logger } = {}): Promise<NodeRuntime> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const stack: Array<() => Promise<void>> = [];
  const close = async () => {
    while (stack.length) await stack.pop()!().catch((err) => logger.error('shutdown step failed', { err }));
  };
  try {
    const meili = await resolveMeili(config, logger, stack);
    const redis = await resolveRedis(config, logger, stack);
    stack.push(async () => void redis.disconnect());
    const services = buildServicesFromDisk(withCaseEncryptionKey(config, logger), { clock: opts.clock ?? systemClock, logger, redis, meili });
    await indexKnowledge(services, config.KNOWLEDGE_DIR);
    await loadRouting(services);
    const retention = startTopicRetention(services);
    stack.push(async () => retention.stop());
    return { services, close };
  } catch (err) {
    await close();
    throw err;
  }
}
