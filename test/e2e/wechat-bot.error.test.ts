import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { Services } from '../../src/services.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { startMockBot, type MockBot } from './wechat-harness.js';

let s: TestServices;
const bots: MockBot[] = [];
const logLines: string[] = [];
beforeAll(async () => {
  s = await testServices({ logger: createLogger('debug', (l) => logLines.push(l)) });
});
afterAll(async () => {
  for (const b of bots) await b.stop();
  await s?.cleanup();
});
const start = async (services: Services, opts: Parameters<typeof startMockBot>[1] = {}) => {
  const b = await startMockBot(services, opts);
  bots.push(b);
  return b;
};

describe('WeChat bot under abuse and faults', () => {
  it('rate-limits a spamming contact with one friendly notice, while others are answered promptly', async () => {
    const m = await start(s, { rateLimit: { limit: 3, windowMs: 60_000 } });
    const spammer = m.contact('刷屏者');
    const citizen = m.contact('普通群众');
    const spamInbox = m.inbox(spammer);
    const citizenInbox = m.inbox(citizen);

    // Baseline latency for a lone question.
    const t0 = Date.now();
    citizen.say('怎么申请政府信息公开？').to(m.self);
    await citizenInbox.waitFor(1);
    const alone = Date.now() - t0;

    for (let i = 0; i < 40; i++) spammer.say(`怎么申请政府信息公开？${"？".repeat(i % 3)}`).to(m.self);
    const t1 = Date.now();
    citizen.say('怎么申请政府信息公开？').to(m.self);
    const [, answer] = await citizenInbox.waitFor(2);
    const underSpam = Date.now() - t1;
    expect(answer).toContain('依据：');

    await m.settle();
    const notices = spamInbox.texts.filter((t) => t.includes('太频繁'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/请\d+秒后再试/);
    expect(spamInbox.texts.filter((t) => t.includes('依据：'))).toHaveLength(3);
    // The spammer's 40 messages cost the other citizen little: no queueing behind them.
    expect(underSpam).toBeLessThan(Math.max(3000, alone * 10));
  });

  it('splits a long answer into ordered parts under the size limit', async () => {
    const m = await start(s, { maxMessageChars: 60 });
    const c = m.contact('长答案');
    const inbox = m.inbox(c);
    c.say('怎么申请政府信息公开？').to(m.self);
    await inbox.waitFor(2);
    await m.settle();
    const parts = inbox.texts;
    expect(parts.length).toBeGreaterThan(2);
    parts.forEach((p, i) => {
      expect(Array.from(p).length).toBeLessThanOrEqual(60);
      expect(p.endsWith(`（${i + 1}/${parts.length}）`)).toBe(true);
    });
    const whole = parts.map((p) => p.replace(/（\d+\/\d+）$/, '')).join('');
    expect(whole).toMatch(/^根据《/);
    expect(whole).toContain('依据：《');
  });

  it('sends an apology when a turn fails, logs it once, and keeps serving', async () => {
    let failures = 1;
    const flaky: Services = {
      ...s,
      sessions: {
        ...s.sessions,
        async get(id) {
          if (failures-- > 0) throw new Error('session store down');
          return s.sessions.get(id);
        },
      },
    };
    const errors: Array<{ err: unknown; ctx: Record<string, unknown> }> = [];
    const m = await start(flaky, { onError: (err, ctx) => errors.push({ err, ctx }) });
    const c = m.contact('遇到故障');
    const inbox = m.inbox(c);
    c.say('怎么申请政府信息公开？').to(m.self);
    const [apology] = await inbox.waitFor(1);
    expect(apology).toContain('抱歉，系统暂时出现问题');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.ctx).toMatchObject({ stage: 'turn' });
    expect(String(errors[0]!.ctx.citizenRef)).toMatch(/^wechat:[0-9a-f]{32}$/);

    c.say('怎么申请政府信息公开？').to(m.self);
    const [, answer] = await inbox.waitFor(2);
    expect(answer).toContain('依据：');

    // A puppet failure surfaces as a Wechaty 'error' event: same sink, no crash.
    m.bot.emitError(new Error('puppet hiccup'));
    expect(errors.at(-1)!.ctx).toEqual({ stage: 'wechaty' });
    expect(String(errors.at(-1)!.err)).toContain('puppet hiccup');
  });

  it('never writes a raw WeChat id to the logs', async () => {
    const m = await start(s);
    const c = m.contact('隐私', { id: 'wxid_private_9f8e7d' });
    const inbox = m.inbox(c);
    c.say('怎么申请政府信息公开？').to(m.self);
    await inbox.waitFor(1);
    await m.settle();
    const mine = logLines.filter((l) => l.includes('wechat:'));
    expect(mine.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain('wxid_private_9f8e7d');
  });
});
