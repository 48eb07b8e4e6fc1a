import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Unstable_DevWorker } from 'wrangler';
import { createApp } from '../../src/app.js';
import { CONTRACT_SETTINGS, describeRuntimeContract, GOLDEN_QUESTION, type ContractFetch } from '../contract/runtime-contract.js';
import { ROOT, testServices, type TestServices } from '../helpers/services.js';

// Offline and quiet: no request to Cloudflare for cf properties, no telemetry.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

type StartedWorker = Awaited<ReturnType<typeof import('wrangler').unstable_startWorker>>;

let services: TestServices;
let worker: StartedWorker;
let base: URL;

const plain = (value: string) => ({ type: 'plain_text' as const, value });
let bindings: Record<string, { type: 'plain_text' | 'secret_text'; value: string }>;

beforeAll(async () => {
  // Builds this file's own index with the shipped knowledge (and its own Redis prefix); the
  // Worker reads the same index and prefix, so both runtimes see identical data.
  services = await testServices({ config: { ...CONTRACT_SETTINGS } });
  const { unstable_startWorker } = await import('wrangler');
  bindings = {
      MEILI_URL: plain(inject('meiliUrl')),
      MEILI_MASTER_KEY: { type: 'secret_text', value: inject('meiliKey') },
      REDIS_URL: plain(inject('redisUrl')),
      REDIS_PREFIX: plain(services.config.REDIS_PREFIX),
      INDEX_NAME: plain(services.config.INDEX_NAME),
      LOG_LEVEL: plain('warn'),
      AGENT_TOKENS: plain(CONTRACT_SETTINGS.AGENT_TOKENS),
      CASE_ENCRYPTION_KEY: { type: 'secret_text', value: CONTRACT_SETTINGS.CASE_ENCRYPTION_KEY },
  };
  worker = await unstable_startWorker({
    config: join(ROOT, 'wrangler.toml'),
    bindings,
    build: { nodejsCompatMode: 'v2' },
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'warn' },
  });
  await worker.ready;
  base = await worker.url;
  // Fail here, once and clearly, rather than in every test: a Worker that cannot start its
  // module (bad data file, bundling problem) answers with workerd's error page.
  const health = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(60_000) });
  if (health.status !== 200) throw new Error(`the Worker started but /healthz answered ${health.status}: ${(await health.text()).slice(0, 500)}`);
}, 180_000);

afterAll(async () => {
  await worker?.dispose();
  await services?.cleanup();
});

const workerFetch: ContractFetch = (path, init) => fetch(new URL(path, base), init);

describeRuntimeContract('Cloudflare Workers (workerd via wrangler)', () => workerFetch);

describe('Workers and Node answer alike', () => {
  // Policy questions, one with no answer, and messages that are not questions (greeting,
  // complaint, asking for a human): intents and dialogue must match too, not just retrieval.
  it.each([GOLDEN_QUESTION, '政府信息公开申请多久答复？', '今年政务公开工作有哪些要点？', '火星移民补贴怎么领？', '你好', '我要投诉小区楼下饭店油烟扰民', '转人工'])(
    '%s → same reply, citations and action',
    async (message) => {
      const app = createApp(services);
      const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) };
      const [fromNode, fromWorker] = await Promise.all([
        Promise.resolve(app.request('/api/chat', post)).then((r) => r.json()),
        workerFetch('/api/chat', post).then((r) => r.json()),
      ]);
      expect(fromWorker.action).toBe(fromNode.action);
      expect(fromWorker.intent).toBe(fromNode.intent);
      expect(fromWorker.replies).toEqual(fromNode.replies);
    },
  );
});

/** Connection counters of the test Redis (the Node services' own client stays connected). */
async function redisConnections() {
  const text = `${await services.redis.info('clients')}\n${await services.redis.info('stats')}`;
  const num = (name: string) => Number(text.match(new RegExp(`^${name}:(\\d+)`, 'm'))?.[1] ?? NaN);
  return { open: num('connected_clients'), opened: num('total_connections_received') };
}

describe('Workers: one Redis client per request', () => {
  it('opens no Redis connection for a request that needs none', async () => {
    const before = await redisConnections();
    for (let i = 0; i < 3; i++) expect((await workerFetch('/healthz')).status).toBe(200);
    expect((await redisConnections()).opened).toBe(before.opened);
  });

  it('closes the connection a request opened once the request is done', async () => {
    const before = await redisConnections();
    expect((await workerFetch('/readyz')).status).toBe(200);
    expect((await redisConnections()).opened).toBeGreaterThan(before.opened);
    await expect.poll(async () => (await redisConnections()).open, { timeout: 5000, interval: 100 }).toBe(before.open);
  });
});

// Last in the file: it reloads the Worker with a broken configuration.
describe('Workers: a bad configuration', () => {
  it('answers every request with a 500 JSON error naming no secret, instead of crashing', async () => {
    const { CASE_ENCRYPTION_KEY: _dropped, ...rest } = bindings;
    await worker.setConfig({
      config: join(ROOT, 'wrangler.toml'),
      bindings: { ...rest, REDIS_URL: plain('http://not-redis.invalid') },
      build: { nodejsCompatMode: 'v2' },
      dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'none' },
    });
    await worker.ready;
    base = await worker.url;
    for (const path of ['/healthz', '/api/chat']) {
      const res = await workerFetch(path, path === '/api/chat' ? { method: 'POST', body: '{}' } : undefined);
      expect(res.status, path).toBe(500);
      const body = await res.json();
      expect(body.error.code).toBe('misconfigured');
      expect(JSON.stringify(body)).not.toContain('not-redis.invalid');
    }
  }, 120_000);
});
