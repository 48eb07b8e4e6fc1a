/**
 * Benchmark of the WeChat channel on a real Wechaty runtime with wechaty-puppet-mock, against
 * the embedded Meilisearch and Redis (spawned in a temp dir, knowledge/ indexed):
 * - the Redis rate limiter (one Lua call per check) against a bare PING round trip;
 * - a citizen's private question → first reply latency, alone (baseline, same run) and while
 *   one contact floods the bot, to show a spammer cannot slow others.
 *
 *   npm run bench:wechat [-- --questions 20 --spam 300 --json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WechatyBuilder, log as wechatyLog } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createYihaodaPlugin } from '../src/channels/wechat/plugin.js';
import { parseConfig } from '../src/config.js';
import { startNodeRuntime } from '../src/node/bootstrap.js';
import { createRedisRateLimiter } from '../src/ratelimit/rate-limiter.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const QUESTIONS = arg('questions', 20);
const SPAM = arg('spam', 300);
const asJson = process.argv.includes('--json');
const QUESTION = '怎么申请政府信息公开？';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0).toFixed(1);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timedOps(n: number, conc: number, fn: () => Promise<unknown>) {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next++ < n) {
      const s = performance.now();
      await fn();
      lat.push(performance.now() - s);
    }
  }));
  return { ops: n, perSec: Math.round(n / ((performance.now() - t0) / 1000)), p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99) };
}

async function main() {
  wechatyLog.level('silent');
  const dir = mkdtempSync(join(tmpdir(), 'yhd-bench-wechat-'));
  const config = parseConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', REDIS_PREFIX: `bench:${Date.now().toString(36)}:` });
  const runtime = await startNodeRuntime(config);
  const { services } = runtime;
  const rows: Array<{ step: string; ops: number; perSec?: number; p50: number; p95: number; p99: number; note?: string }> = [];
  try {
    const limiter = createRedisRateLimiter(services.redis, { prefix: config.REDIS_PREFIX });
    rows.push({ step: 'baseline: Redis PING', ...(await timedOps(2000, 16, () => services.redis.ping())) });
    let k = 0;
    rows.push({ step: 'rate limiter check (2000 keys)', ...(await timedOps(2000, 16, () => limiter.check(`bench:${k++ % 2000}`, { limit: 12, windowMs: 60_000 }))) });
    rows.push({ step: 'rate limiter check (1 hot key, denied)', ...(await timedOps(2000, 16, () => limiter.check('bench:hot', { limit: 12, windowMs: 60_000 }))) });

    const mocker = new mock.Mocker();
    const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) });
    const plugin = createYihaodaPlugin(services, { delivery: false, caseAnnouncements: false, feedback: false });
    bot.use(plugin);
    await bot.start();
    const self = mocker.createContact({ name: '一号答' });
    const loggedIn = new Promise<void>((r) => bot.once('login', () => r()));
    mocker.login(self);
    await loggedIn;

    type C = ReturnType<typeof mocker.createContact>;
    const replies = new Map<string, number[]>();
    const watch = (c: C) => {
      replies.set(c.id, []);
      (c as unknown as { on(e: 'message', f: (m: { payload: { talkerId: string } }) => void): void }).on('message', (m) => {
        if (m.payload.talkerId === self.id) replies.get(c.id)!.push(performance.now());
      });
    };
    const ask = async (c: C) => {
      const n = replies.get(c.id)!.length;
      const t0 = performance.now();
      c.say(QUESTION).to(self);
      while (replies.get(c.id)!.length <= n) await sleep(2);
      return replies.get(c.id)![n]! - t0;
    };

    // Warm-up (first search, JIT), then the baseline: one citizen at a time.
    const warm = mocker.createContact({ name: 'warm' });
    watch(warm);
    await ask(warm);
    const alone: number[] = [];
    for (let i = 0; i < QUESTIONS; i++) {
      const c = mocker.createContact({ name: `市民${i}` });
      watch(c);
      alone.push(await ask(c));
    }
    rows.push({ step: 'question → reply, alone', ops: QUESTIONS, p50: pct(alone, 50), p95: pct(alone, 95), p99: pct(alone, 99) });

    const spammer = mocker.createContact({ name: '刷屏者' });
    watch(spammer);
    for (let i = 0; i < SPAM; i++) spammer.say(`${QUESTION}${i}`).to(self);
    const underSpam: number[] = [];
    for (let i = 0; i < QUESTIONS; i++) {
      const c = mocker.createContact({ name: `市民B${i}` });
      watch(c);
      underSpam.push(await ask(c));
    }
    await plugin.idle();
    rows.push({
      step: `question → reply, while 1 contact sends ${SPAM}`,
      ops: QUESTIONS,
      p50: pct(underSpam, 50),
      p95: pct(underSpam, 95),
      p99: pct(underSpam, 99),
      note: `spammer got ${replies.get(spammer.id)!.length} replies (limit ${config.WECHAT_RATE_PER_MINUTE}/min + 1 notice)`,
    });
    await bot.stop();
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }

  if (!asJson) {
    console.log('| step | ops | ops/s | p50 ms | p95 ms | p99 ms | note |');
    console.log('|---|---:|---:|---:|---:|---:|---|');
    for (const r of rows) console.log(`| ${r.step} | ${r.ops} | ${r.perSec ?? ''} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.note ?? ''} |`);
  }
  console.log(JSON.stringify({ bench: 'wechat', questions: QUESTIONS, spam: SPAM, rows }));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
