import { join } from 'node:path';
import { inject } from 'vitest';
import { fixedClock, type Clock } from '../../src/clock.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { buildServicesFromDisk, indexKnowledge } from '../../src/node/bootstrap.js';
import type { Services } from '../../src/services.js';
import { createRedis } from '../../src/store/redis.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const KNOWLEDGE_DIR = join(ROOT, 'knowledge');
export const INTENTS_DIR = join(ROOT, 'intents');

let counter = 0;
/** A unique suffix per call, so test files never see each other's keys or indexes. */
export function uniqueName(base: string): string {
  return `${base}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

export interface TestServiceOptions {
  config?: Partial<Record<keyof Config, string>>;
  clock?: Clock;
  logger?: Logger;
  /** Index the shipped knowledge/ into this test's own index (default true). */
  indexKnowledge?: boolean;
}

export type TestServices = Services & { cleanup(): Promise<void> };

/**
 * Services wired exactly as the Node entry wires them, against the real Meilisearch and Redis
 * started by the global setup, with their own index name and Redis key prefix.
 */
export async function testServices(opts: TestServiceOptions = {}): Promise<TestServices> {
  const prefix = `${uniqueName('t')}:`;
  const indexName = uniqueName('passages');
  const config = parseConfig({
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: prefix,
    INDEX_NAME: indexName,
    KNOWLEDGE_DIR,
    INTENTS_DIR,
    LOG_LEVEL: 'silent',
    ...opts.config,
  });
  const redis = createRedis(config.REDIS_URL!);
  const services = buildServicesFromDisk(config, {
    clock: opts.clock ?? fixedClock('2021-11-05T09:00:00+08:00'),
    logger: opts.logger ?? createLogger('silent'),
    redis,
    meili: { url: config.MEILI_URL!, apiKey: config.MEILI_MASTER_KEY },
  });
  if (opts.indexKnowledge !== false) await indexKnowledge(services, config.KNOWLEDGE_DIR);
  return {
    ...services,
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await services.meili.deleteIndexIfExists(config.INDEX_NAME).catch(() => undefined);
      await services.meili.deleteIndexIfExists(`${config.INDEX_NAME}_meta`).catch(() => undefined);
    },
  };
}
