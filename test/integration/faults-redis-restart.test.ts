import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { freePort, waitFor } from '../../src/node/free-port.js';
import { startRedis, type RedisProcess } from '../../src/node/redis-process.js';
import { createTopicService, type TopicService } from '../../src/topics/service.js';
import { testServices, type TestServices } from '../helpers/services.js';

/**
 * Redis is SIGKILLed (a crash, not a shutdown) in the middle of writes and restarted from its
 * AOF on the same port, configured exactly as the embedded Redis (`appendfsync everysec`).
 * Clients retry what failed with the same idempotency keys, as the product does. Afterwards:
 * every acknowledged case, question-log entry and outbox message is there exactly once, no
 * retried write made a duplicate, and chat sessions continue where they were.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'yhd-redis-fault-'));
let port: number;
let redis: RedisProcess;
let services: TestServices;
let topics: TopicService;
let app: ReturnType<typeof createApp>;
const agent = { kind: 'agent' as const, id: 'fault-test' };

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis({ dataDir, port });
  services = await testServices({
    config: { REDIS_URL: redis.url, CHAT_RATE_PER_IP_PER_MINUTE: '100000', CHAT_RATE_PER_MINUTE: '100000', SESSIONS_PER_IP: '100000' },
  });
  topics = createTopicService(services.redis, { prefix: services.config.REDIS_PREFIX, retentionDays: 180, now: () => services.clock.now() });
  app = createApp(services);
});
afterAll(async () => {
  await services?.cleanup().catch(() => undefined);
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Op = { key: string; run: () => Promise<string> };
interface Ledger {
  acked: Map<string, string>;
  failed: Set<string>;
}

/** Run `make(i)` back to back in `loops` workers until stopped; record what was acknowledged. */
function writer(loops: number, make: (i: number) => Op) {
  const ledger: Ledger = { acked: new Map(), failed: new Set() };
  const ops = new Map<string, Op>();
  let running = true;
  let n = 0;
  const done = Promise.all(
    Array.from({ length: loops }, async () => {
      while (running) {
        const op = make(n++);
        ops.set(op.key, op);
        try {
          ledger.acked.set(op.key, await op.run());
        } catch {
          ledger.failed.add(op.key);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }),
  );
  return {
    ledger,
    stop: async () => ((running = false), await done),
    /** Retry every failed op with its original key, as a client would. */
    retryFailed: async () => {
      for (const key of ledger.failed) ledger.acked.set(key, await ops.get(key)!.run());
    },
  };
}

async function chat(sessionId: string, message: string): Promise<{ status: number; turn?: number }> {
  const res = await app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message }),
  });
  await res.arrayBuffer();
  const state = res.status === 200 ? await services.sessions.get(sessionId) : undefined;
  return { status: res.status, turn: state?.turn };
}

describe('Redis crash and AOF restart under writes', () => {
  it('loses and duplicates nothing acknowledged; sessions survive', async () => {
    // A session with some history before the crash.
    const sessionId = 'fault-session-0001';
    for (const m of ['你好', '怎么申请政府信息公开？']) expect((await chat(sessionId, m)).status).toBe(200);
    const before = await services.sessions.get(sessionId);
    expect(before?.turn).toBe(2);

    const cases = writer(3, (i) => ({
      key: `case-${i}`,
      run: async () =>
        (await services.cases.create({ type: 'help', summary: `崩溃测试${i}`, channel: 'web', citizenRef: `web:c${i}`, idempotencyKey: `fault-case-${i}` }, agent)).case.number,
    }));
    const outbox = writer(2, (i) => ({
      key: `msg-${i}`,
      run: async () => (await services.outbox.enqueue({ channel: 'wechat', citizenRef: `wechat:r${i}`, kind: 'notice', text: `通知${i}` }, `fault-msg-${i}`)).id,
    }));
    const log = writer(2, (i) => ({
      key: `log-${i}`,
      run: async () =>
        (await topics.recordTurn({ sessionId: `fault-log-${i % 7}`, turn: Math.floor(i / 7) + 1, channel: 'web', citizenRef: `web:l${i}`, message: `第${i}个问题：公积金怎么提取`, topical: true })).logId,
    }));
    const all = [cases, outbox, log];

    await new Promise((r) => setTimeout(r, 400));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 600));
    redis = await startRedis({ dataDir, port });
    await waitFor(async () => (await services.redis.ping()) === 'PONG', 10_000, 'the service client to reconnect');
    await new Promise((r) => setTimeout(r, 300));
    for (const w of all) await w.stop();

    // The crash did hit writes in flight, and writes were acknowledged on both sides of it.
    expect(all.reduce((n, w) => n + w.ledger.failed.size, 0)).toBeGreaterThan(0);
    for (const w of all) expect(w.ledger.acked.size).toBeGreaterThan(5);
    const ackedBefore = {
      cases: new Map(cases.ledger.acked),
      outbox: new Map(outbox.ledger.acked),
      log: new Map(log.ledger.acked),
    };
    for (const w of all) await w.retryFailed();

    // Cases: each acknowledged number still resolves to its case; retries returned the same
    // numbers; one case per key, numbers unique.
    for (const [key, number] of ackedBefore.cases) {
      expect(cases.ledger.acked.get(key)).toBe(number);
      expect((await services.cases.get(number))?.summary).toBe(`崩溃测试${key.slice(5)}`);
    }
    const numbers = [...cases.ledger.acked.values()];
    expect(new Set(numbers).size).toBe(numbers.length);
    const listed = await services.cases.list({ limit: 1000 }, agent);
    expect(listed.total).toBe(numbers.length);

    // Outbox: every message exactly once in the channel stream, and a repeat enqueue is a duplicate.
    const delivered: string[] = [];
    for (;;) {
      const batch = await services.outbox.readChannel('wechat', 'fault-check', 'c1', { count: 500 });
      if (!batch.length) break;
      delivered.push(...batch.map((m) => m.text));
      await services.outbox.ack('wechat', 'fault-check', batch.map((m) => m.id));
    }
    expect(delivered.sort()).toEqual([...outbox.ledger.acked.keys()].map((k) => `通知${k.slice(4)}`).sort());
    for (const [key, id] of ackedBefore.outbox) {
      const again = await services.outbox.enqueue({ channel: 'wechat', citizenRef: 'x', kind: 'notice', text: 'x' }, `fault-msg-${key.slice(4)}`);
      expect(again).toEqual({ id, duplicate: true });
    }

    // Question log: every acknowledged entry is stored (masked text intact) and re-logging the same turn is a duplicate.
    for (const [key, logId] of log.ledger.acked) {
      const entry = await topics.entry(logId);
      expect(entry?.text, key).toContain('公积金怎么提取');
    }
    const i = Number([...ackedBefore.log.keys()][0]!.slice(4));
    const again = await topics.recordTurn({ sessionId: `fault-log-${i % 7}`, turn: Math.floor(i / 7) + 1, channel: 'web', citizenRef: `web:l${i}`, message: `第${i}个问题：公积金怎么提取`, topical: true });
    expect(again).toMatchObject({ logId: ackedBefore.log.get(`log-${i}`), duplicate: true });

    // Sessions: the conversation continues from its saved state.
    const after = await chat(sessionId, '需要带什么材料');
    expect(after.status).toBe(200);
    expect(after.turn).toBe(3);
  });
});
