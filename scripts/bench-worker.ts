/**
 * The same app on Node and on Cloudflare Workers (workerd, started locally by wrangler), side by
 * side against one spawned Meilisearch and one spawned Redis: latency of the chat page,
 * `/healthz`, `/readyz` and a chat turn. The Node server (`src/entry/node.ts`, as `npm start`
 * runs it, in its own process like workerd) is the baseline in the same run; the difference is
 * the Worker's per-request wiring (services built per request, a new Redis connection for each
 * request that needs Redis).
 *
 *   npm run bench:worker [-- --requests 60 --concurrency 1 --json]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../src/node/free-port.js';
import { startMeilisearch } from '../src/node/meili-process.js';
import { startRedis } from '../src/node/redis-process.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('requests', 60);
const CONC = arg('concurrency', 1);
const asJson = process.argv.includes('--json');
const ROOT = resolve(import.meta.dirname, '..');

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function measure(base: string, make: (i: number) => [string, RequestInit?]) {
  const lat: number[] = [];
  let next = 0;
  let failures = 0;
  const once = async (i: number) => {
    const [path, init] = make(i);
    const s = performance.now();
    const res = await fetch(new URL(path, base), init);
    await res.arrayBuffer();
    if (!res.ok) failures++;
    return performance.now() - s;
  };
  for (let i = 0; i < 5; i++) await once(-1 - i); // warm-up
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < N) lat.push(await once(next++));
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { n: N, perSec: Math.round(N / secs), p50: +pct(lat, 50).toFixed(1), p95: +pct(lat, 95).toFixed(1), failures };
}

const chat = (message: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

const CASES: Array<[string, (i: number) => [string, RequestInit?]]> = [
  ['GET / (chat page, no Redis)', () => ['/']],
  ['GET /healthz (no Redis)', () => ['/healthz']],
  ['GET /readyz (Meilisearch + Redis)', () => ['/readyz']],
  ['POST /api/chat 怎么申请政府信息公开？', () => ['/api/chat', chat('怎么申请政府信息公开？')]],
];

async function main() {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_SEND_METRICS = 'false';
  const dir = mkdtempSync(join(tmpdir(), 'yhd-bench-worker-'));
  const meili = await startMeilisearch({ dataDir: join(dir, 'meili'), masterKey: `bench-${randomBytes(12).toString('hex')}` });
  const redis = await startRedis({ dataDir: join(dir, 'redis') });
  const settings = {
    MEILI_URL: meili.url,
    MEILI_MASTER_KEY: meili.masterKey,
    REDIS_URL: redis.url,
    CASE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
    // The bench is one client sending many first turns: lift the per-IP abuse limits.
    CHAT_RATE_PER_IP_PER_MINUTE: '1000000',
    SESSIONS_PER_IP: '1000000',
  };
  // The Node service as `npm start` runs it (it also indexes knowledge/ into the shared Meilisearch).
  const port = await freePort();
  const node = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/entry/node.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...settings, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const nodeBase = `http://127.0.0.1:${port}/`;
  const ready = async () => (await fetch(new URL('/readyz', nodeBase)).catch(() => undefined))?.ok === true;
  await waitFor(ready, 120_000, 'the Node service');

  const { unstable_startWorker } = await import('wrangler');
  const worker = await unstable_startWorker({
    config: join(ROOT, 'wrangler.toml'),
    bindings: Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, { type: 'plain_text' as const, value: v }])),
    build: { nodejsCompatMode: 'v2' },
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'error' },
  });
  await worker.ready;
  const workerBase = String(await worker.url);

  const rows: Array<{ request: string; runtime: string } & Awaited<ReturnType<typeof measure>>> = [];
  try {
    for (const [name, make] of CASES) {
      rows.push({ request: name, runtime: 'node', ...(await measure(nodeBase, make)) });
      rows.push({ request: name, runtime: 'workerd', ...(await measure(workerBase, make)) });
    }
  } finally {
    await worker.dispose();
    node.kill('SIGTERM');
    await new Promise((r) => node.once('exit', r));
    await redis.stop();
    await meili.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  if (!asJson) {
    console.log(`requests per row: ${N}, concurrency: ${CONC} (after 5 warm-up requests)\n`);
    console.log('| request | runtime | req/s | p50 ms | p95 ms | failures |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.request} | ${r.runtime} | ${r.perSec} | ${r.p50} | ${r.p95} | ${r.failures} |`);
  }
  console.log(JSON.stringify({ requests: N, concurrency: CONC, rows }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
