/**
 * Teach the department router from past handled messages.
 *
 *   npm run import:history -- <jsonl> [--map <json>] [--replace]
 *
 * Lines are `{"text","category"}` or `{"text","department"}` (optional `title`). `--map` maps
 * a category to department ids, e.g. `{"劳动和社会保障":["hrss"]}` (the district's own map is
 * `knowledge/category-map.json`). Messages are added to the history kept in Redis and the
 * router is retrained on all of it plus `knowledge/departments.yaml`; the model is saved under
 * `<REDIS_PREFIX>routing:model`, which the service loads at start-up. `--replace` forgets
 * earlier imports first. Lines that cannot be placed are reported with `file:line`.
 *
 * Connects to REDIS_URL like the service; without it, opens the embedded Redis under
 * DATA_DIR — only possible while the service is stopped.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../src/config.js';
import { parseDepartments } from '../src/knowledge/departments.js';
import { startRedis, type RedisProcess } from '../src/node/redis-process.js';
import { parseCategoryMap, parseHistory, toHistoryExamples } from '../src/routing/history.js';
import { importHistory } from '../src/routing/service.js';
import { createRedisRoutingModelStore } from '../src/routing/store.js';
import { createRedis } from '../src/store/redis.js';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { map: { type: 'string' }, replace: { type: 'boolean', default: false } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new Error('usage: import:history -- <jsonl> [--map <json>] [--replace]');
  const config = parseConfig(process.env);
  const depsFile = join(config.KNOWLEDGE_DIR, 'departments.yaml');
  const directory = parseDepartments(readFileSync(depsFile, 'utf8'), depsFile);
  const map = values.map ? parseCategoryMap(JSON.parse(readFileSync(values.map, 'utf8')), directory, values.map) : {};
  const { messages, skipped } = parseHistory(readFileSync(file, 'utf8'), directory, map, relative(process.cwd(), resolve(file)));
  for (const s of skipped.slice(0, 20)) log(`skipped ${s}`);
  if (skipped.length > 20) log(`… and ${skipped.length - 20} more skipped lines`);
  if (!messages.length) throw new Error(`${file}: no usable lines${values.map ? '' : ' (categories need --map <json>)'}`);

  let proc: RedisProcess | undefined;
  let url = config.REDIS_URL;
  if (!url) {
    log('REDIS_URL not set: opening the embedded Redis under DATA_DIR (the service must be stopped)');
    proc = await startRedis({ dataDir: join(resolve(config.DATA_DIR), 'redis') });
    url = proc.url;
  }
  const redis = createRedis(url);
  try {
    const store = createRedisRoutingModelStore(redis, config.REDIS_PREFIX);
    if (values.replace) await store.clear();
    const r = await importHistory(store, directory, toHistoryExamples(messages));
    const perDept = new Map<string, number>();
    for (const m of messages) for (const d of m.departments) perDept.set(d, (perDept.get(d) ?? 0) + 1);
    log(`read ${messages.length} messages (${skipped.length} skipped); ${r.added} new, ${r.total} in history`);
    log(`per department: ${[...perDept].map(([d, n]) => `${d} ${n}`).join(', ')}`);
    log(`trained in ${(r.trainMs / 1000).toFixed(1)} s: ${r.model.model.features.length} character and ${r.model.words?.model.features.length ?? 0} word features, ${r.model.model.labels.length} departments; saved to ${config.REDIS_PREFIX}routing:model`);
    log('restart the service (or call services.routing.reload()) to use it');
  } finally {
    redis.disconnect();
    await proc?.stop();
  }
}

main().catch((err) => {
  log(err instanceof ConfigError || err instanceof Error ? err.message : String(err));
  process.exit(1);
});
