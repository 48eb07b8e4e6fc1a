import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sha256Hex } from '../../src/auth/bearer.js';
import { fixedClock } from '../../src/clock.js';
import { runTurn } from '../../src/dialogue/runner.js';
import { startTopicRetention } from '../../src/node/topic-retention.js';
import { createRedis } from '../../src/store/redis.js';
import { createTopicService } from '../../src/topics/service.js';
import { turnLogInput } from '../../src/topics/types.js';
import { testServices, type TestServices } from '../helpers/services.js';

const token = 'topics-log-agent-token-0123456789';
const clock = fixedClock('2021-11-05T09:00:00+08:00');
let s: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  s = await testServices({ clock, config: { AGENT_TOKENS: `ops:${await sha256Hex(token)}`, LOG_RETENTION_DAYS: '30' } });
  app = createApp(s);
});
afterAll(() => s.cleanup());

const auth = { authorization: `Bearer ${token}` };
const post = (path: string, body: unknown) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Every value stored under this test's prefix, as one string. */
async function everythingStored(): Promise<string> {
  const keys = await s.redis.keys(`${s.config.REDIS_PREFIX}*`);
  const parts: string[] = [];
  for (const k of keys) {
    const type = await s.redis.type(k);
    if (type === 'string') parts.push(k, String(await s.redis.get(k)));
    else if (type === 'hash') parts.push(k, JSON.stringify(await s.redis.hgetall(k)));
    else if (type === 'zset') parts.push(k, JSON.stringify(await s.redis.zrange(k, 0, -1)));
    else if (type === 'set') parts.push(k, JSON.stringify(await s.redis.smembers(k)));
    else if (type === 'stream') parts.push(k, JSON.stringify(await s.redis.xrange(k, '-', '+')));
    else parts.push(k);
  }
  return parts.join('\n');
}

describe('question log (real Redis)', () => {
  it('masks personal data before anything is stored', async () => {
    const r = await s.topics.recordTurn({
      sessionId: 'mask-session-1',
      turn: 1,
      channel: 'web',
      citizenRef: 'web:mask-session-1',
      message: '我的手机13812345678，身份证372901199003073419，银行卡6222021602001234568，公积金怎么还没到账？',
      action: 'fallback_rephrase',
    });
    const entry = await s.topics.entry(r.logId);
    expect(entry?.text).toBe('我的手机[手机号]，身份证[身份证号]，银行卡[银行卡号]，公积金怎么还没到账？');
    expect(entry?.masked).toEqual(['id_card', 'bank_card', 'mobile']);
    const all = await everythingStored();
    for (const secret of ['13812345678', '372901199003073419', '6222021602001234568']) expect(all).not.toContain(secret);
  });

  it('logs a message with nothing to group by without inventing a topic', async () => {
    const r = await s.topics.recordTurn({ sessionId: 'empty-session-1', turn: 1, channel: 'web', citizenRef: 'web:e', message: '13912345678？？', action: 'fallback_rephrase' });
    expect(r.topicId).toBeUndefined();
    expect((await s.topics.entry(r.logId))?.text).toBe('[手机号]？？');
  });

  it('logs each session turn once, however often it is retried', async () => {
    const input = { sessionId: 'idem-session-1', turn: 1, channel: 'web' as const, citizenRef: 'web:idem', message: '残疾人两项补贴怎么申请', action: 'answer' as const };
    const first = await s.topics.recordTurn(input);
    const again = await Promise.all([s.topics.recordTurn(input), s.topics.recordTurn(input)]);
    expect(first.duplicate).toBe(false);
    expect(again.map((r) => r.duplicate)).toEqual([true, true]);
    expect(again.map((r) => r.topicId)).toEqual([first.topicId, first.topicId]);
    const detail = await s.topics.topic(first.topicId!, s.topics.defaultWindow(7));
    expect(detail?.messages).toBe(1);
  });

  it('shows a chat question in the hot topics within a second', async () => {
    const started = Date.now();
    const chat = await post('/api/chat', { message: '怎么申请政府信息公开？' });
    expect(chat.status).toBe(200);
    const res = await app.request('/api/topics/hot?limit=50', { headers: auth });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    const body = await res.json();
    const topic = body.topics.find((t: { samples: Array<{ q: string }> }) => t.samples.some((x) => x.q === '怎么申请政府信息公开？'));
    expect(topic).toBeDefined();
    expect(topic.outcomes.answered).toBe(1);
    expect(topic.channels).toEqual({ web: 1 });
    expect(topic.documents.length).toBeGreaterThan(0);
    expect(topic.documents[0].title).toContain('公开');
    expect(elapsed).toBeLessThan(1000);
  });

  it('logs a turn once even if the runner and a retry both record it', async () => {
    const input = { sessionId: 'chatflow-session-2', channel: 'web' as const, citizenRef: 'web:chatflow-session-2', message: '低保怎么申请' };
    const result = await runTurn(s, input);
    const again = await s.topics.recordTurn(turnLogInput(input, result));
    expect(again.duplicate).toBe(true);
  });

  it('shares topics between service processes through Redis', async () => {
    // A second process: its own connection and service object, the same Redis and prefix.
    const redis2 = createRedis(s.config.REDIS_URL!);
    try {
      const other = createTopicService(redis2, { prefix: s.config.REDIS_PREFIX, retentionDays: 30, now: () => clock.now() });
      const a = await s.topics.recordTurn({ sessionId: 'proc-a-session', turn: 1, channel: 'web', citizenRef: 'web:pa', message: '农村危房改造补助怎么申请', action: 'answer' });
      const b = await other.recordTurn({ sessionId: 'proc-b-session', turn: 1, channel: 'wechat', citizenRef: 'wx:pb', message: '农村危房改造补助申请条件是什么', action: 'answer' });
      expect(b.topicId).toBe(a.topicId);
      const seenByA = await s.topics.topic(a.topicId!, s.topics.defaultWindow(7));
      expect(seenByA).toMatchObject({ messages: 2, askers: 2, channels: { web: 1, wechat: 1 } });
    } finally {
      redis2.disconnect();
    }
  });

  it('records 👍/👎 from the web chat; the last vote of a turn counts', async () => {
    const r = await s.topics.recordTurn({ sessionId: 'feedback-session-1', turn: 2, channel: 'web', citizenRef: 'web:fb', message: '新生儿医保怎么办理', action: 'answer' });
    expect((await post('/api/feedback', { sessionId: 'feedback-session-1', turn: 2, useful: false })).status).toBe(200);
    expect(await (await post('/api/feedback', { sessionId: 'feedback-session-1', turn: 2, useful: false })).json()).toMatchObject({ changed: false });
    const detail1 = await s.topics.topic(r.topicId!, s.topics.defaultWindow(7));
    expect(detail1?.feedback).toEqual({ up: 0, down: 1 });
    // WeChat's 有用 refers to the latest answer of the session: no turn given.
    await s.topics.feedback({ sessionId: 'feedback-session-1', useful: true });
    const detail2 = await s.topics.topic(r.topicId!, s.topics.defaultWindow(7));
    expect(detail2?.feedback).toEqual({ up: 1, down: 0 });
    expect((await s.topics.entry(r.logId))?.feedback).toBe('up');
  });

  it('rejects feedback on unknown turns, on other sessions and with bad input', async () => {
    const other = await s.topics.recordTurn({ sessionId: 'victim-session-1', turn: 1, channel: 'web', citizenRef: 'web:v', message: '低保标准是多少', action: 'answer' });
    const missing = await post('/api/feedback', { sessionId: 'nobody-session-1', turn: 9, useful: true });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    expect((await post('/api/feedback', { sessionId: 'attacker-session', logId: other.logId, useful: false })).status).toBe(404);
    for (const bad of [{ sessionId: 'x', useful: true }, { sessionId: 'feedback-session-1', useful: 'yes' }, { sessionId: 'feedback-session-1', useful: true, extra: 1 }]) {
      const res = await post('/api/feedback', bad);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('bad_request');
    }
  });

  it('deletes entries, day statistics and askers older than LOG_RETENTION_DAYS', async () => {
    const old = await s.topics.recordTurn({
      sessionId: 'old-session-1', turn: 1, channel: 'wechat', citizenRef: 'wx:old', message: '老旧小区加装电梯有补贴吗', at: '2021-09-01T10:00:00+08:00', action: 'answer',
    });
    const recent = await s.topics.recordTurn({
      sessionId: 'recent-session-1', turn: 1, channel: 'wechat', citizenRef: 'wx:recent', message: '城乡居民养老保险怎么交', action: 'answer',
    });
    const before = await s.topics.prune();
    expect(before.logs).toBe(1);
    expect(await s.topics.entry(old.logId)).toBeUndefined();
    expect(await s.topics.entry(recent.logId)).toBeDefined();
    expect(await s.redis.exists(s.topics.keys.stats(old.topicId!, '2021-09-01'))).toBe(0);
    expect(await s.redis.exists(s.topics.keys.askers(old.topicId!, '2021-09-01'))).toBe(0);
    expect(await s.topics.topic(old.topicId!, { from: '2021-08-01', to: '2021-11-05' })).toBeUndefined();
    expect(await everythingStored()).not.toContain('wx:old');

    // The Node runtime's timer does the same without anyone calling prune().
    clock.advance(31 * 86_400_000);
    const retention = startTopicRetention(s, { firstDelayMs: 10, intervalMs: 60_000 });
    try {
      await expect.poll(() => s.topics.entry(recent.logId), { timeout: 5000 }).toBeUndefined();
    } finally {
      retention.stop();
    }
    expect(await everythingStored()).not.toContain('wx:recent');
    clock.set('2021-11-05T09:00:00+08:00');
  });
});
