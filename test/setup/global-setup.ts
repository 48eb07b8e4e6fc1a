import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMeilisearch, type MeiliProcess } from '../../src/node/meili-process.js';
import { startRedis, type RedisProcess } from '../../src/node/redis-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    meiliUrl: string;
    meiliKey: string;
    redisUrl: string;
  }
}

/**
 * Start the real servers the tests talk to: Meilisearch from the npm binary and Redis
 * (REDIS_URL if given, else a spawned redis-server). A failure here fails the run: tests never
 * silently skip because a server is missing.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'yhd-test-'));
  let meili: MeiliProcess | undefined;
  let redis: RedisProcess | undefined;
  if (process.env.MEILI_URL) {
    project.provide('meiliUrl', process.env.MEILI_URL);
    project.provide('meiliKey', process.env.MEILI_MASTER_KEY ?? '');
  } else {
    meili = await startMeilisearch({ dataDir: join(dir, 'meili'), masterKey: 'test-master-key-0123456789' });
    project.provide('meiliUrl', meili.url);
    project.provide('meiliKey', meili.masterKey);
  }
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
  } else {
    redis = await startRedis({ dataDir: join(dir, 'redis') });
    project.provide('redisUrl', redis.url);
  }
  return async () => {
    await meili?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
