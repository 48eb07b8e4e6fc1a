import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCitizenOutbox } from '../../src/notify/citizen-outbox.js';
import { createRedis } from '../../src/store/redis.js';
import { inject } from 'vitest';
import { testServices, uniqueName, type TestServices } from '../helpers/services.js';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.js';

/**
 * The scale-out shape: two service processes (the real Node entry, as `npm start` runs it)
 * behind an imaginary load balancer, sharing one Redis and one Meilisearch index.
 */
const token = `yhd_${randomBytes(24).toString('base64url')}`;
const shared = {
  REDIS_PREFIX: `${uniqueName('scale')}:`,
  INDEX_NAME: uniqueName('scale_passages'),
  AGENT_TOKENS: `ops:${createHash('sha256').update(token).digest('hex')}`,
  CASE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'warn',
  // Small enough for the last test to reach; the other tests open only a few sessions.
  SESSIONS_PER_IP: '12',
};
let a: SpawnedService;
let b: SpawnedService;
let store: TestServices;

beforeAll(async () => {
  // One after the other: both index knowledge/ into the same index at start-up.
  a = await spawnService(shared);
  b = await spawnService(shared);
  store = await testServices({ config: { REDIS_PREFIX: shared.REDIS_PREFIX, INDEX_NAME: shared.INDEX_NAME }, indexKnowledge: false });
}, 180_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await store?.cleanup();
});

async function chat(svc: SpawnedService, message: string, sessionId?: string) {
  const res = await fetch(`${svc.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sessionId ? { sessionId, message } : { message }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { sessionId: string; action: string; replies: Array<{ text: string; options?: string[]; caseNumber?: string }> };
}

describe('two service processes on one Redis', () => {
  it('a conversation moves between processes turn by turn, keeping its whole state', async () => {
    const messages = ['你好', '怎么申请政府信息公开？', '需要带什么材料', '网上可以申请吗', '多久能答复', '谢谢'];
    const first = await chat(a, messages[0]!);
    const sid = first.sessionId;
    for (const [i, text] of messages.slice(1).entries()) {
      const t = await chat(i % 2 === 0 ? b : a, text, sid);
      expect(t.sessionId).toBe(sid);
    }
    // Each process read the state the other wrote: turns counted once each, history in order.
    const state = await store.sessions.get(sid);
    expect(state?.turn).toBe(messages.length);
    expect(state?.history.filter((h) => h.role === 'user').map((h) => h.text)).toEqual(messages.slice(-6));
  });

  it('case numbers stay unique when both processes create cases at once; a retried key is one case', async () => {
    const create = (svc: SpawnedService, key: string) =>
      fetch(`${svc.url}/api/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body: JSON.stringify({ type: 'help', summary: `并发工单 ${key}` }),
      }).then(async (r) => ({ status: r.status, number: ((await r.json()) as { case: { number: string } }).case?.number }));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i % 2 ? a : b, `scale-key-${i}`)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const numbers = results.map((r) => r.number);
    expect(new Set(numbers).size).toBe(40);
    // The same idempotency key sent to both processes at once: one case.
    const twice = await Promise.all([create(a, 'same-key'), create(b, 'same-key')]);
    expect(twice.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(twice[0]!.number).toBe(twice[1]!.number);
  });

  it('outbox messages are delivered once per consumer group across processes', async () => {
    // Two processes' outboxes: separate Redis connections, same prefix.
    const connA = createRedis(inject('redisUrl'));
    const connB = createRedis(inject('redisUrl'));
    try {
      const now = () => new Date();
      const boxA = createRedisCitizenOutbox(connA, shared.REDIS_PREFIX, now);
      const boxB = createRedisCitizenOutbox(connB, shared.REDIS_PREFIX, now);
      // Create both groups before anything is enqueued (consumers start at the stream's end otherwise).
      await boxA.readChannel('wechat', 'bot', 'a');
      await boxB.readChannel('wechat', 'audit', 'b');
      // 60 messages enqueued from both processes, 20 of them twice (a retried enqueue).
      await Promise.all(
        Array.from({ length: 80 }, (_, i) =>
          (i % 2 ? boxA : boxB).enqueue({ channel: 'wechat', citizenRef: `wechat:u${i % 60}`, kind: 'notice', text: `消息${i % 60}` }, `scale-${i % 60}`)),
      );
      // Group "bot": consumer a (process A) and consumer b (process B) drain concurrently.
      const got: Record<'a' | 'b', string[]> = { a: [], b: [] };
      const drain = async (box: typeof boxA, who: 'a' | 'b') => {
        for (let idle = 0; idle < 3; ) {
          const batch = await box.readChannel('wechat', 'bot', who, { count: 7 });
          if (!batch.length) {
            idle++;
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          got[who].push(...batch.map((m) => m.text));
          await box.ack('wechat', 'bot', batch.map((m) => m.id));
        }
      };
      await Promise.all([drain(boxA, 'a'), drain(boxB, 'b')]);
      const all = [...got.a, ...got.b];
      expect(all).toHaveLength(60);
      expect(new Set(all).size).toBe(60);
      expect(got.a.length).toBeGreaterThan(0);
      expect(got.b.length).toBeGreaterThan(0);
      // Group "audit" sees every message once too, independently of "bot".
      const audit: string[] = [];
      for (;;) {
        const batch = await boxB.readChannel('wechat', 'audit', 'b', { count: 50 });
        if (!batch.length) break;
        audit.push(...batch.map((m) => m.text));
        await boxB.ack('wechat', 'audit', batch.map((m) => m.id));
      }
      expect(audit.sort()).toEqual(all.sort());
    } finally {
      connA.disconnect();
      connB.disconnect();
    }
  });

  it('rate limits are shared: a session limited on one process is limited on the other', async () => {
    // CHAT_RATE_PER_MINUTE defaults to 60 per session; spend it across both processes.
    const { sessionId } = await chat(a, '你好');
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const res = await fetch(`${(i % 2 ? a : b).url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, message: '你好' }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    // The first turn had no session id yet, so 60 of these 61 fit the per-session limit.
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits are keyed on the socket address: a forged X-Forwarded-For does not dodge them (TRUST_PROXY=0)', async () => {
    const statuses: number[] = [];
    let message = '';
    for (let i = 0; i < 16 && !statuses.includes(429); i++) {
      const res = await fetch(`${(i % 2 ? a : b).url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify({ message: '你好' }),
      });
      statuses.push(res.status);
      const body = (await res.json()) as { error?: { message: string } };
      if (res.status === 429) {
        message = body.error!.message;
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    // Twelve sessions per address, shared by both processes: new sessions stop at the limit.
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(12);
    expect(message).toContain('会话过多');
  });
});
