/**
 * Load benchmark: `POST /api/chat` of the real service beside raw Meilisearch search on the same
 * queries, in one run, everything on this machine.
 *
 *   npm run bench -- [--duration 20] [--connections 50] [--rate 300] [--json] [--cpu-prof [--cpu-prof-out file]] [--diagnose] [--fuzz]
 *
 * Starts its own Meilisearch and Redis (temporary data), ingests the NCPQA corpus with the
 * product's own `npm run ingest` (scripts/ingest.ts), starts the service as a child process (`src/entry/node.ts`, what
 * `npm start` runs) and drives it with autocannon using a realistic mix: questions from
 * `../shared/data/ncpqa/dev.jsonl` plus follow-ups, greetings/thanks, complaints and case-status
 * questions, from 1,000 client addresses (X-Forwarded-For, TRUST_PROXY=1) and 5,000 sessions.
 *
 * Phases (each `--duration` seconds, after a warm-up): chat at `--rate` req/s (latency target),
 * chat flat out (throughput), raw Meilisearch flat out and at `--rate` on the same texts. The
 * flat-out phases are autocannon (closed loop, `--connections`); the `--rate` phases send at a
 * constant arrival rate, evenly spaced, timed from when each request was due (`pacedPhase`).
 * `errors` counts transport errors, timeouts, non-2xx and chat replies that apologise for an
 * unavailable search engine. `--diagnose` adds raw Meilisearch in the retriever's query shape
 * (one multi-search of three 40-hit queries) to separate search cost from service cost. `--cpu-prof` profiles the service process and prints where its CPU
 * time goes; `--cpu-prof-out <file>` also keeps the .cpuprofile (for DevTools or a call-tree look). `--fuzz` runs the fuzz suites with FUZZ_RUNS (default 1500) instead.
 * With `--json` the last line is `{"chat":{"rps","p50Ms","p99Ms","errors",…},"meili":{…},"ratio",…}`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Redis } from 'ioredis';
import { Meilisearch } from 'meilisearch';
import { parseConfig } from '../src/config.js';
import { freePort, waitFor } from '../src/node/free-port.js';
import { startMeilisearch, stopChild } from '../src/node/meili-process.js';
import { startRedis } from '../src/node/redis-process.js';
import { parseJsonl } from '../src/retrieval/records.js';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'ncpqa');
const log = (msg: string) => process.stderr.write(`${msg}\n`);

// --- autocannon (no bundled types; the subset used here) -------------------------------------

interface Histogram { average: number; mean: number; p50: number; p90: number; p99: number; max: number; total: number }
interface CannonResult { latency: Histogram; requests: Histogram; errors: number; timeouts: number; non2xx: number; duration: number; '2xx': number }
interface CannonRequest {
  method: string;
  path: string;
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
  onResponse?: (status: number, body: string) => void;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
/** When the service process was started: phase logs say how long after, to line up with its --trace-gc times. */
let serviceStarted: number | undefined;
const sinceService = () => (serviceStarted === undefined ? '' : ` (service t+${((performance.now() - serviceStarted) / 1000).toFixed(1)} s)`);

// --- the request mix -------------------------------------------------------------------------

const FOLLOW_UPS = ['需要带什么材料？', '在哪里办理？', '有什么条件？', '多久能办好？', '可以网上办吗', '还有别的规定吗'];
const SMALL_TALK = ['你好', '您好', '谢谢', '好的，谢谢', '在吗'];
const COMPLAINTS = [
  '我要投诉，小区旁边工地半夜施工太吵了',
  '我要反映一下，路灯坏了一个多月没人修',
  '投诉某超市卖过期食品',
  '建议在人民公园多装几个路灯',
];
const STATUS = ['我的工单处理得怎么样了', '查询工单20211105-0001的进度'];
const SESSIONS = 5000;
const IPS = 1000;

/** A deterministic stream of chat turns in the proportions of a real day on the hotline bot. */
function createMix(questions: string[], seed = 12345) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  let nextSession = 0;
  let q = 0;
  return {
    /** The next turn: its text, session and client address. */
    next(): { message: string; sessionId: string; ip: string; kind: string } {
      const r = rand();
      // New questions move on to the next session; the rest continue a recent one.
      const fresh = r < 0.7;
      const session = fresh ? nextSession++ % SESSIONS : Math.max(0, nextSession - 1 - Math.floor(rand() * 50)) % SESSIONS;
      const message =
        r < 0.7 ? questions[q++ % questions.length]!
        : r < 0.82 ? pick(FOLLOW_UPS)
        : r < 0.9 ? pick(SMALL_TALK)
        : r < 0.95 ? pick(COMPLAINTS)
        : pick(STATUS);
      const kind = r < 0.7 ? 'question' : r < 0.82 ? 'follow-up' : r < 0.9 ? 'small talk' : r < 0.95 ? 'complaint' : 'status';
      return { message, sessionId: `bench${session.toString().padStart(6, '0')}`, ip: `10.${(session % IPS) >> 8}.${session % 256}.7`, kind };
    },
    /** Just the text, for the raw Meilisearch phases. */
    text(): string {
      return this.next().message;
    },
  };
}

// --- phases ------------------------------------------------------------------------------------

interface PhaseResult {
  name: string;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  errors: number;
  /** CPU milliseconds per request sent in the phase (warm-up sends included), by process. */
  cpuMsPerRequest?: Record<string, number>;
  /**
   * Paced phases: the load generator's own event-loop delay, p99 in ms. A late timer or a GC pause
   * in the generator counts as latency (timed from when each request was due), so this bounds how
   * much of the tail is the generator's.
   */
  generatorLagP99Ms?: number;
  /** Paced chat phase: latency by message kind and the reply's action (which turns make the tail). */
  byKind?: Array<{ kind: string; n: number; p50Ms: number; p99Ms: number }>;
  /** Paced phases: the worst stalls (runs of slow requests), to line up with --trace-gc and Redis. */
  stalls?: Stall[];
  /** Redis latency monitor events during the phase (event → worst ms, times seen) and delayed AOF fsyncs. */
  redisLatency?: { events: Record<string, { maxMs: number; count: number }>; delayedFsyncs: number };
}

/** A run of requests slower than SLOW_MS, each due within STALL_GAP_MS of the previous slow one. */
interface Stall { startS: number; spanMs: number; requests: number; maxMs: number }
const SLOW_MS = 25;
const STALL_GAP_MS = 50;

/**
 * Group the slow requests of a paced phase into stalls. `due` is when each request was due, in ms
 * since the service started (so a stall can be matched with the service's --trace-gc lines).
 */
function findStalls(samples: Array<{ due: number; ms: number }>, top = 5): Stall[] {
  const slow = samples.filter((x) => x.ms > SLOW_MS).sort((a, b) => a.due - b.due);
  const stalls: Stall[] = [];
  let cur: { start: number; end: number; n: number; max: number } | undefined;
  const close = () => cur && stalls.push({ startS: Math.round(cur.start / 100) / 10, spanMs: Math.round(cur.end - cur.start), requests: cur.n, maxMs: Math.round(cur.max) });
  for (const x of slow) {
    if (cur && x.due - cur.end <= STALL_GAP_MS) {
      cur.end = x.due;
      cur.n += 1;
      cur.max = Math.max(cur.max, x.ms);
    } else {
      close();
      cur = { start: x.due, end: x.due, n: 1, max: x.ms };
    }
  }
  close();
  return stalls.sort((a, b) => b.requests - a.requests).slice(0, top);
}

// --- CPU per request ---------------------------------------------------------------------------

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** utime + stime of a process in ms (Linux /proc); undefined elsewhere or once it has exited. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/**
 * Start counting CPU time of the given processes (and of this one, the load generator); `stop`
 * divides by the number of requests. On 2 shared cores latency is mostly queueing for CPU, so CPU
 * per turn is the figure that changes comparably between runs when the machine's speed does not.
 */
function cpuMeter(pids: Record<string, number | undefined>) {
  const self0 = process.cpuUsage();
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processCpuMs(pid)]));
  return (requests: number): Record<string, number> => {
    const out: Record<string, number> = {};
    const per = (ms: number) => Math.round((ms / Math.max(1, requests)) * 1000) / 1000;
    for (const [k, pid] of Object.entries(pids)) {
      const a = start[k];
      const b = processCpuMs(pid);
      if (a !== undefined && b !== undefined) out[k] = per(b - a);
    }
    const self = process.cpuUsage(self0);
    out.loadGenerator = per((self.user + self.system) / 1000);
    return out;
  };
}

let meter: ((name: string) => ReturnType<typeof cpuMeter>) | undefined;

async function phase(
  name: string,
  url: string,
  request: CannonRequest,
  opts: { connections: number; duration: number; rate?: number },
): Promise<PhaseResult> {
  log(`  ${name} …${sinceService()}`);
  const stopCpu = meter?.(name);
  let apologies = 0;
  const res = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.duration,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    timeout: 10,
    requests: [{ ...request, onResponse: (status: number, body: string) => {
      if (status === 200 && body.includes('"action":"unavailable"')) apologies++;
    } }],
  });
  const errors = res.errors + res.timeouts + res.non2xx + apologies;
  const cpu = stopCpu?.(res.requests.total);
  return {
    ...(cpu ? { cpuMsPerRequest: cpu } : {}),
    name,
    rps: Math.round(res.requests.total / res.duration),
    p50Ms: res.latency.p50,
    p90Ms: res.latency.p90,
    p99Ms: res.latency.p99,
    maxMs: res.latency.max,
    requests: res.requests.total,
    errors,
  };
}

/** Seconds sent at the target rate before a paced phase is measured. */
const WARM_PACED_S = 2;

/**
 * A phase at a constant arrival rate (open loop): request i is due at start + i / rate, sent on
 * time whatever is still in flight (at most `connections` sockets; more wait in the agent's queue)
 * and timed from when it was due, so a late generator or a queue counts against the service
 * (no coordinated omission). autocannon's `overallRate` is not this: each connection sends its
 * per-second quota back to back when the second starts, so "300 req/s over 50 connections" is a
 * burst of 300 requests at every full second (raw Meilisearch at 100 req/s measured p50 61 ms that
 * way, against 4 ms per search one at a time). The first WARM_PACED_S seconds open the
 * connections at the same rate and are not measured.
 */
async function pacedPhase(name: string, baseUrl: string, request: CannonRequest, opts: { connections: number; duration: number; rate: number }): Promise<PhaseResult> {
  log(`  ${name} (constant arrival rate) …${sinceService()}`);
  const stopCpu = meter?.(name);
  const stopRedisLatency = await redisLatencyMeter?.();
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL(baseUrl);
  const total = Math.round(opts.rate * opts.duration);
  const latencies: number[] = [];
  const samples: Array<{ due: number; ms: number }> = [];
  const kindLatencies = new Map<string, number[]>();
  let errors = 0;
  const kinds = new Map<string, number>();
  const fail = (kind: string) => ((errors += 1), kinds.set(kind, (kinds.get(kind) ?? 0) + 1));
  const send = (due: number, unmeasured = false) =>
    new Promise<void>((done) => {
      const built = (request.setupRequest?.({}) ?? {}) as { headers?: Record<string, string>; body?: string; kind?: string };
      const req = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.path, agent, headers: built.headers, timeout: 10_000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            if (!unmeasured) {
              const ms = performance.now() - due;
              latencies.push(ms);
              samples.push({ due: due - (serviceStarted ?? 0), ms });
              if (built.kind) {
                const action = /"action":"([a-z_]+)"/.exec(body)?.[1] ?? '?';
                const k = `${built.kind} → ${action}`;
                (kindLatencies.get(k) ?? kindLatencies.set(k, []).get(k)!).push(ms);
              }
              if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
              else if (body.includes('"action":"unavailable"')) fail('apology (search unavailable)');
            }
            done();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => (unmeasured || fail(err.code ?? err.message), done()));
      req.end(built.body);
    });
  // Open the connections at the same rate first, unmeasured (as wrk2's calibration period):
  // otherwise the first half second measures TCP connects and an empty pool, not the service.
  const warm = Math.round(opts.rate * WARM_PACED_S);
  const first = performance.now();
  const dueAt = (i: number) => first + (i * 1000) / opts.rate;
  const started = dueAt(warm); // the measured window starts after the warm-up sends
  const inFlight: Array<Promise<void>> = [];
  const lag = monitorEventLoopDelay({ resolution: 1 });
  let lagOn = false;
  for (let i = 0; i < warm + total; ) {
    if (!lagOn && i >= warm) (lag.enable(), (lagOn = true));
    const now = performance.now();
    // Send everything that is due (several at once only if the timer fired late).
    while (i < warm + total && dueAt(i) <= now) inFlight.push(send(dueAt(i), i++ < warm));
    if (i < warm + total) await new Promise((r) => setTimeout(r, Math.max(0, dueAt(i) - performance.now())));
  }
  await Promise.all(inFlight);
  lag.disable();
  const generatorLagP99Ms = Math.round(lag.percentile(99) / 1e5) / 10;
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  if (kinds.size > 0) log(`    errors: ${[...kinds].map(([k, n]) => `${k} × ${n}`).join(', ')}`);
  latencies.sort((a, b) => a - b);
  const quantile = (xs: number[], q: number) => Math.round((xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] ?? 0) * 10) / 10;
  const at = (q: number) => quantile(latencies, q);
  const cpu = stopCpu?.(warm + total);
  const redisLatency = await stopRedisLatency?.();
  const stalls = findStalls(samples);
  const byKind = [...kindLatencies]
    .map(([kind, xs]) => (xs.sort((a, b) => a - b), { kind, n: xs.length, p50Ms: quantile(xs, 0.5), p99Ms: quantile(xs, 0.99) }))
    .sort((a, b) => b.n - a.n);
  return {
    name, rps: Math.round(total / elapsed), p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1), requests: total, errors, generatorLagP99Ms,
    ...(cpu ? { cpuMsPerRequest: cpu } : {}),
    ...(byKind.length ? { byKind } : {}),
    stalls,
    ...(redisLatency ? { redisLatency } : {}),
  };
}

/**
 * Redis' own latency monitor (events over 5 ms: fsync, AOF writes, forks, slow commands) and its
 * count of delayed AOF fsyncs, around a phase. Set once Redis is up (`redisLatencyMeter`).
 */
let redisLatencyMeter: (() => Promise<() => Promise<PhaseResult['redisLatency']>>) | undefined;
function createRedisLatencyMeter(redis: Redis) {
  const delayed = async () => Number(/aof_delayed_fsync:(\d+)/.exec(await redis.info('persistence'))?.[1] ?? 0);
  return async () => {
    await redis.config('SET', 'latency-monitor-threshold', '5');
    await redis.call('LATENCY', 'RESET');
    const before = await delayed();
    return async () => {
      const latest = (await redis.call('LATENCY', 'LATEST')) as Array<[string, number, number, number]>;
      const events: Record<string, { maxMs: number; count: number }> = {};
      for (const [event, , , max] of latest) {
        const history = (await redis.call('LATENCY', 'HISTORY', event)) as Array<[number, number]>;
        events[event] = { maxMs: Number(max), count: history.length };
      }
      return { events, delayedFsyncs: (await delayed()) - before };
    };
  };
}

function chatRequest(mix: ReturnType<typeof createMix>): CannonRequest {
  return {
    method: 'POST',
    path: '/api/chat',
    setupRequest: (req) => {
      const t = mix.next();
      return {
        ...req,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': t.ip },
        body: JSON.stringify({ sessionId: t.sessionId, message: t.message }),
        kind: t.kind,
      };
    },
  };
}

function meiliRequest(mix: ReturnType<typeof createMix>, index: string, key: string): CannonRequest {
  return {
    method: 'POST',
    path: `/indexes/${index}/search`,
    setupRequest: (req) => ({
      ...req,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ q: mix.text(), limit: 5 }),
    }),
  };
}

/** Raw Meilisearch in the retriever's shape: three candidate queries of 40 hits in one multi-search (for `--diagnose`). */
function meiliRetrieverShape(mix: ReturnType<typeof createMix>, index: string, key: string): CannonRequest {
  return {
    method: 'POST',
    path: '/multi-search',
    setupRequest: (req) => {
      const q = mix.text();
      const one = (matchingStrategy: string) => ({ indexUid: index, q, limit: 40, matchingStrategy });
      return {
        ...req,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ queries: [one('frequency'), one('last'), one('frequency')] }),
      };
    },
  };
}

// --- CPU profile summary ---------------------------------------------------------------------

interface ProfileNode { id: number; hitCount: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }

/** Where a frame's code lives: an npm package, a file of ours, or Node/V8 itself. */
function ownerOf(url: string): string {
  if (!url) return '(native/GC/idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const src = /\/(src|scripts)\/(.+)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : basename(url);
}

function summarizeProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const total = profile.samples.length || 1;
  const byFn = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const n of profile.nodes) {
    if (!n.hitCount) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') {
      byOwner.set(`(${functionName.slice(1, -1)})`, (byOwner.get(`(${functionName.slice(1, -1)})`) ?? 0) + n.hitCount);
      continue;
    }
    const fn = `${functionName || '(anonymous)'} ${ownerOf(url)}:${lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + n.hitCount);
    byOwner.set(ownerOf(url), (byOwner.get(ownerOf(url)) ?? 0) + n.hitCount);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `  ${pct(v)}  ${k}`);
  return ['CPU self time by owner (service process):', ...rows(byOwner), '', 'Top functions by self time:', ...rows(byFn)].join('\n');
}

// --- main ------------------------------------------------------------------------------------

function table(rows: PhaseResult[]): string {
  const head = ['phase', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'errors'];
  const lines = rows.map((r) => [r.name, r.rps, r.p50Ms, r.p90Ms, r.p99Ms, r.maxMs, r.requests, r.errors].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

function runFuzz(): never {
  const runs = process.env.FUZZ_RUNS ?? '1500';
  log(`fuzz suites with FUZZ_RUNS=${runs} …`);
  const r = spawnSync('npx', ['vitest', 'run', 'test/integration/fuzz-'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs } });
  process.exit(r.status ?? 1);
}

async function main() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'cpu-prof-out': { type: 'string' },
      fuzz: { type: 'boolean', default: false },
      diagnose: { type: 'boolean', default: false },
      // Extra Node flags for the service process only (e.g. --node-arg=--trace-gc), repeatable.
      'node-arg': { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.fuzz) runFuzz();
  const duration = z.coerce.number().int().min(1).max(600).parse(values.duration);
  const connections = z.coerce.number().int().min(1).max(1000).parse(values.connections);
  const rate = z.coerce.number().int().min(1).max(100_000).parse(values.rate);

  const questionSchema = z.object({ question: z.string().min(1) });
  const dev = parseJsonl(readFileSync(join(DATA, 'dev.jsonl'), 'utf8'), 'dev.jsonl', questionSchema);
  const questions = dev.records.map((r) => r.value.question);
  if (!questions.length) throw new Error(`no questions in ${join(DATA, 'dev.jsonl')}`);

  const dir = mkdtempSync(join(tmpdir(), 'yhd-bench-'));
  const stack: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  let child: ChildProcess | undefined;
  try {
    log('starting Meilisearch and Redis …');
    const meili = await startMeilisearch({ dataDir: join(dir, 'meili'), masterKey: randomBytes(16).toString('hex') });
    stack.push(() => meili.stop());
    const redisProc = await startRedis({ dataDir: join(dir, 'redis') });
    stack.push(() => redisProc.stop());

    const env = {
      MEILI_URL: meili.url,
      MEILI_MASTER_KEY: meili.masterKey,
      REDIS_URL: redisProc.url,
      REDIS_PREFIX: 'bench:',
      INDEX_NAME: 'bench_passages',
      KNOWLEDGE_DIR: join(ROOT, 'knowledge'),
      INTENTS_DIR: join(ROOT, 'intents'),
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      TRUST_PROXY: '1',
      CASE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    };

    log('ingesting the NCPQA corpus with `npm run ingest` …');
    const started = Date.now();
    const config = parseConfig(env);
    const corpusFile = join(DATA, 'corpus.jsonl');
    const ingest = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'ingest.ts'), corpusFile], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (ingest.status !== 0) throw new Error(`npm run ingest failed (exit ${ingest.status}):\n${ingest.stderr.slice(-2000)}`);
    const documents = readFileSync(corpusFile, 'utf8').split('\n').filter((l) => l.trim()).length;
    const stats = await new Meilisearch({ host: meili.url, apiKey: meili.masterKey }).index(config.INDEX_NAME).getStats();
    log(`  ${documents} documents → ${stats.numberOfDocuments} passages in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const port = await freePort();
    const profDir = join(dir, 'prof');
    mkdirSync(profDir);
    const serviceFlags = z.array(z.string().regex(/^--[a-z0-9-]+(=[\w./-]+)?$/, 'a Node flag such as --max-semi-space-size=32')).parse(values['node-arg']);
    const nodeArgs = [...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ...serviceFlags, '--import', 'tsx', join(ROOT, 'src', 'entry', 'node.ts')];
    log(`starting the service${values['cpu-prof'] ? ' (profiling)' : ''} …`);
    serviceStarted = performance.now();
    child = spawn(process.execPath, nodeArgs, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'inherit', 'inherit'] });
    const svc = child;
    stack.push(() => stopChild(svc, 10_000));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 120_000, 'the service to become ready');

    meter = () => cpuMeter({ service: svc.pid, redis: redisProc.child.pid, meilisearch: meili.child.pid });
    const redisAdmin = new Redis(redisProc.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    stack.push(async () => void redisAdmin.disconnect());
    redisLatencyMeter = createRedisLatencyMeter(redisAdmin);
    const chatMix = createMix(questions);
    const meiliMix = createMix(questions);
    log(`load: ${connections} connections, ${duration} s per phase, target rate ${rate} req/s`);
    await phase('warm-up', url, chatRequest(chatMix), { connections, duration: 3 });
    const chatAtRate = await pacedPhase(`chat @${rate}/s`, url, chatRequest(chatMix), { connections, duration, rate });
    const chatMax = await phase('chat max', url, chatRequest(chatMix), { connections, duration });
    const meiliReq = meiliRequest(meiliMix, config.INDEX_NAME, meili.masterKey);
    await phase('meili warm-up', meili.url, meiliReq, { connections, duration: 2 });
    const meiliMax = await phase('meili max', meili.url, meiliReq, { connections, duration });
    const meiliAtRate = await pacedPhase(`meili @${rate}/s`, meili.url, meiliReq, { connections, duration, rate });
    // The floor: the same generator, connections and rate against the service's /healthz (no
    // Redis, no search) — what the machine, HTTP and the generator alone cost at the tail.
    const floorAtRate = await pacedPhase(`healthz @${rate}/s`, url, { method: 'GET', path: '/healthz' }, { connections, duration, rate });
    const extra = values.diagnose
      ? [await phase('meili 3x40 max', meili.url, meiliRetrieverShape(createMix(questions), config.INDEX_NAME, meili.masterKey), { connections, duration })]
      : [];

    let profile = '';
    if (values['cpu-prof']) {
      await stopChild(svc, 10_000);
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      profile = file ? summarizeProfile(join(profDir, file)) : '(no profile written)';
      if (file && values['cpu-prof-out']) copyFileSync(join(profDir, file), resolve(values['cpu-prof-out']));
    }

    const ratio = Number((chatMax.rps / Math.max(1, meiliMax.rps)).toFixed(3));
    const targets = {
      p99AtRate: { target: `≤ 25 ms at ${rate} req/s`, value: chatAtRate.p99Ms, pass: chatAtRate.p99Ms <= 25 && chatAtRate.rps >= rate * 0.95 },
      errors: { target: '0', value: chatAtRate.errors + chatMax.errors, pass: chatAtRate.errors + chatMax.errors === 0 },
      ratio: { target: '≥ 0.6 × raw Meilisearch', value: ratio, pass: ratio >= 0.6 },
    };
    const rows = [chatAtRate, chatMax, meiliMax, meiliAtRate, floorAtRate, ...extra];
    const out = [
      '',
      table(rows),
      '',
      'CPU ms per request (warm-up sends included; the load generator is this process):',
      ...rows.filter((r) => r.cpuMsPerRequest).map((r) => `  ${r.name.padEnd(14)} ${Object.entries(r.cpuMsPerRequest!).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}`),
      '',
      ...rows
        .filter((r) => r.byKind)
        .flatMap((r) => [`${r.name} by message kind → reply action (n, p50 / p99 ms):`, ...r.byKind!.map((k) => `  ${k.kind.padEnd(28)} ${String(k.n).padStart(5)}  ${k.p50Ms} / ${k.p99Ms}`)]),
      ...rows
        .filter((r) => r.stalls?.length || r.redisLatency)
        .flatMap((r) => [
          `${r.name} stalls (runs of requests over ${SLOW_MS} ms; service t+ s, span, requests, worst ms): ${r.stalls?.length ? r.stalls.map((x) => `t+${x.startS} ${x.spanMs} ms ×${x.requests} ≤${x.maxMs}`).join('; ') : 'none'}`,
          ...(r.redisLatency ? [`  redis latency events ≥ 5 ms: ${Object.entries(r.redisLatency.events).map(([e, v]) => `${e} ×${v.count} ≤${v.maxMs} ms`).join(', ') || 'none'}; delayed AOF fsyncs: ${r.redisLatency.delayedFsyncs}`] : []),
        ]),
      `load generator event-loop delay p99: ${rows.filter((r) => r.generatorLagP99Ms !== undefined).map((r) => `${r.name} ${r.generatorLagP99Ms} ms`).join(', ')}`,
      `throughput ratio chat/meili (flat out): ${ratio}`,
      ...Object.entries(targets).map(([k, t]) => `${t.pass ? 'PASS' : 'FAIL'}  ${k}: ${t.value} (target ${t.target})`),
      ...(profile ? ['', profile] : []),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (values.json) {
      const pick = (r: PhaseResult) => ({ rps: r.rps, p50Ms: r.p50Ms, p90Ms: r.p90Ms, p99Ms: r.p99Ms, maxMs: r.maxMs, requests: r.requests, errors: r.errors, cpuMsPerRequest: r.cpuMsPerRequest, generatorLagP99Ms: r.generatorLagP99Ms, stalls: r.stalls, redisLatency: r.redisLatency });
      process.stdout.write(
        `${JSON.stringify({
          // chat.rps is flat-out throughput; its latencies are at the target rate.
          chat: { rps: chatMax.rps, p50Ms: chatAtRate.p50Ms, p90Ms: chatAtRate.p90Ms, p99Ms: chatAtRate.p99Ms, errors: chatAtRate.errors + chatMax.errors, atRate: pick(chatAtRate), max: pick(chatMax) },
          meili: { rps: meiliMax.rps, p50Ms: meiliAtRate.p50Ms, p90Ms: meiliAtRate.p90Ms, p99Ms: meiliAtRate.p99Ms, errors: meiliAtRate.errors + meiliMax.errors, atRate: pick(meiliAtRate), max: pick(meiliMax) },
          floor: pick(floorAtRate),
          ratio,
          targets: Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, t.pass])),
          setup: { duration, connections, rate, documents, passages: stats.numberOfDocuments, questions: questions.length },
        })}\n`,
      );
    }
  } finally {
    while (stack.length) await stack.pop()!().catch((err) => log(`cleanup: ${err instanceof Error ? err.message : err}`));
  }
}

main().catch((err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
