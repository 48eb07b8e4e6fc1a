/**
 * Benchmark of the case store against a real redis-server (spawned in a temp dir with AOF,
 * `appendfsync always` as in the fault test, unless REDIS_URL is set): create, dispatch,
 * accept+reply throughput and latency, and the cost of listings and KPIs at that size. Baseline
 * in the same run: a bare Redis INCR round trip.
 *
 *   npm run bench:cases [-- --cases 2000 --concurrency 16 --json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { casesFromConfig } from '../src/cases/wiring.js';
import type { Actor } from '../src/cases/types.js';
import { fixedClock } from '../src/clock.js';
import { parseConfig } from '../src/config.js';
import { parseDepartments } from '../src/knowledge/departments.js';
import { createLogger } from '../src/logger.js';
import { createRedisCitizenOutbox } from '../src/notify/citizen-outbox.js';
import { startRedis, type RedisProcess } from '../src/node/redis-process.js';
import { readFileSync } from 'node:fs';
import { createRedis } from '../src/store/redis.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('cases', 2000);
const CONC = arg('concurrency', 16);
const asJson = process.argv.includes('--json');

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function timed<T>(n: number, conc: number, fn: (i: number) => Promise<T>) {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      await fn(i);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return { ops: n, perSec: Math.round(n / secs), p50: +pct(lat, 50).toFixed(2), p95: +pct(lat, 95).toFixed(2), p99: +pct(lat, 99).toFixed(2) };
}

async function main() {
  let proc: RedisProcess | undefined;
  let dir: string | undefined;
  let url = process.env.REDIS_URL;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'yhd-bench-cases-'));
    proc = await startRedis({ dataDir: dir, fsyncAlways: true });
    url = proc.url;
  }
  const prefix = `bench:${Date.now().toString(36)}:`;
  const config = parseConfig({ REDIS_URL: url, REDIS_PREFIX: prefix, CASE_ENCRYPTION_KEY: 'ab'.repeat(32), LOG_LEVEL: 'silent' });
  const redis = createRedis(url);
  const clock = fixedClock('2021-09-30T10:00:00+08:00');
  const directory = parseDepartments(readFileSync(join(import.meta.dirname, '..', 'knowledge', 'departments.yaml'), 'utf8'));
  const logger = createLogger('silent');
  const outbox = createRedisCitizenOutbox(redis, prefix, () => clock.now());
  const cases = casesFromConfig({ config, redis, directory, outbox, clock, logger });
  const agent: Actor = { kind: 'agent', id: 'bench' };
  const dept: Actor = { kind: 'dept', id: 'housing#b', departmentId: 'housing' };
  const numbers: string[] = [];
  try {
    const rows: Array<{ step: string; ops: number; perSec: number; p50: number; p95: number; p99: number }> = [];
    rows.push({ step: 'baseline: Redis INCR', ...(await timed(N, CONC, () => redis.incr(`${prefix}baseline`))) });
    rows.push({
      step: 'create (contact encrypted)',
      ...(await timed(N, CONC, async (i) => {
        const { case: c } = await cases.create(
          { type: i % 3 ? 'complain' : 'consult', summary: `压测工单${i}`, details: { what: '噪音' }, contact: '13812345678', channel: 'web', citizenRef: `web:bench${i}`, idempotencyKey: `bench-${i}` },
          agent,
        );
        numbers[i] = c.number;
      })),
    });
    rows.push({ step: 'create again (idempotent hit)', ...(await timed(N, CONC, (i) => cases.create({ type: 'complain', summary: 'x', channel: 'web', citizenRef: `web:bench${i}`, idempotencyKey: `bench-${i}` }, agent))) });
    rows.push({ step: 'dispatch', ...(await timed(N, CONC, (i) => cases.dispatch(numbers[i]!, { department: 'housing' }, agent))) });
    // Half the cases get answered, so half stay open for the overdue listing below.
    rows.push({ step: 'accept + reply (→ citizen outbox)', ...(await timed(N / 2, CONC, async (i) => {
      await cases.accept(numbers[2 * i]!, {}, dept);
      await cases.reply(numbers[2 * i]!, { text: '已处理' }, dept);
    })) });
    clock.set('2021-10-20T10:00:00+08:00');
    rows.push({ step: `listOverdue (${N / 2} overdue)`, ...(await timed(5, 1, () => cases.listOverdue())) });
    rows.push({ step: 'department inbox page (50)', ...(await timed(50, 4, () => cases.list({ limit: 50 }, dept))) });
    rows.push({ step: `kpi over ${N} cases`, ...(await timed(3, 1, () => cases.kpi('2021-09-30', '2021-09-30'))) });
    const unique = new Set(numbers).size;
    if (!asJson) {
      console.log(`cases bench: ${N} cases, concurrency ${CONC}, Redis ${proc ? 'spawned, AOF appendfsync always' : url}`);
      console.log('step'.padEnd(38) + 'ops'.padStart(7) + 'ops/s'.padStart(9) + 'p50 ms'.padStart(9) + 'p95 ms'.padStart(9) + 'p99 ms'.padStart(9));
      for (const r of rows) console.log(r.step.padEnd(38) + String(r.ops).padStart(7) + String(r.perSec).padStart(9) + String(r.p50).padStart(9) + String(r.p95).padStart(9) + String(r.p99).padStart(9));
      console.log(`unique numbers: ${unique}/${N}`);
    }
    console.log(JSON.stringify({ bench: 'cases', cases: N, concurrency: CONC, fsyncAlways: Boolean(proc), uniqueNumbers: unique, rows }));
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
    await proc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
