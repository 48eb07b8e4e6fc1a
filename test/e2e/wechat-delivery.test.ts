import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicsFeedbackSink, type AnswerFeedback } from '../../src/channels/wechat/feedback.js';
import { logIdOf } from '../../src/topics/prepare.js';
import { createRedisContactDirectory, createWechatIdentity } from '../../src/channels/wechat/identity.js';
import { parseDepartments } from '../../src/knowledge/departments.js';
import type { Services } from '../../src/services.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { startMockBot, type MockBot } from './wechat-harness.js';

let s: TestServices;
let m: MockBot;
const feedback: AnswerFeedback[] = [];
beforeAll(async () => {
  s = await testServices();
  m = await startMockBot(s, { feedback: async (f) => void feedback.push(f) });
});
afterAll(async () => {
  await m?.stop();
  await s?.cleanup();
});

const refOf = (contactId: string) => createWechatIdentity(s.config.WECHAT_REF_SECRET).citizenRef(contactId);

describe('late messages, feedback and announcements over WeChat', () => {
  it('delivers a department reply from the outbox to the same contact, once, and acknowledges it', async () => {
    const c = m.contact('投诉人');
    const inbox = m.inbox(c);
    c.say('怎么申请政府信息公开？').to(m.self);
    await inbox.waitFor(1);

    const citizenRef = await refOf(c.id);
    const msg = { channel: 'wechat' as const, citizenRef, kind: 'case_reply' as const, text: '您反映的问题已核实处理，感谢监督。', caseNumber: '20211105-0007' };
    await s.outbox.enqueue(msg, 'reply:20211105-0007:1');
    await s.outbox.enqueue(msg, 'reply:20211105-0007:1'); // a retried enqueue
    const [, reply] = await inbox.waitFor(2);
    expect(reply).toBe('【办理答复】工单编号：20211105-0007\n您反映的问题已核实处理，感谢监督。');
    await m.settle();
    expect(inbox.texts).toHaveLength(2);
    expect(await s.outbox.readChannel('wechat', 'wechat-bot', 'bot')).toEqual([]);
  });

  it('reaches a non-friend in the group they asked in, @-mentioning them', async () => {
    const stranger = m.contact('群友', { friend: false });
    const room = m.room('社区服务群', [stranger]);
    const roomInbox = m.inbox(room);
    stranger.say('@一号答 怎么申请政府信息公开？', [m.self]).to(room);
    await roomInbox.waitFor(1);
    await s.outbox.enqueue(
      { channel: 'wechat', citizenRef: await refOf(stranger.id), kind: 'case_update', text: '您的工单已由区政府办公室签收。', caseNumber: '20211105-0008' },
      'update:20211105-0008',
    );
    const [, update] = await roomInbox.waitFor(2);
    expect(update).toMatch(/^@群友[\u2005 ]【工单进度】工单编号：20211105-0008\n您的工单已由区政府办公室签收。$/);
  });

  it('parks a message for an unknown contact instead of blocking the queue', async () => {
    await s.outbox.enqueue(
      { channel: 'wechat', citizenRef: `wechat:${'0'.repeat(32)}`, kind: 'notice', text: '无人认领' },
      'notice:orphan',
    );
    const deadline = Date.now() + 5000;
    let parked: string[] = [];
    while (Date.now() < deadline && parked.length === 0) {
      parked = await s.redis.lrange(`${s.config.REDIS_PREFIX}wechat:undeliverable`, 0, -1);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(parked.map((p) => JSON.parse(p))).toEqual([expect.objectContaining({ reason: 'unknown_contact', kind: 'notice' })]);
    expect(await s.outbox.readChannel('wechat', 'wechat-bot', 'bot')).toEqual([]);
  });

  it('parks a message whose contact is gone, and sends an interpretation notice with its link', async () => {
    const ghostRef = `wechat:${'b'.repeat(32)}`;
    await createRedisContactDirectory(s.redis, s.config.REDIS_PREFIX).remember(ghostRef, { contactId: 'no-such-contact' });
    await s.outbox.enqueue({ channel: 'wechat', citizenRef: ghostRef, kind: 'case_reply', text: '答复', caseNumber: '20211105-0099' }, 'ghost');
    const reader = m.contact('关注者');
    const inbox = m.inbox(reader);
    reader.say('怎么申请政府信息公开？').to(m.self);
    await inbox.waitFor(1);
    await s.outbox.enqueue(
      { channel: 'wechat', citizenRef: await refOf(reader.id), kind: 'interpretation', text: '您关注的政府信息公开问题有了新的政策解读。', url: 'https://www.mudan.gov.cn/jd/1' },
      'interp:1',
    );
    const [, notice] = await inbox.waitFor(2);
    expect(notice).toBe('【政策解读】\n您关注的政府信息公开问题有了新的政策解读。\n详情：https://www.mudan.gov.cn/jd/1');
    // The ghost is retried (it may be a transient failure), parked after the attempts run out,
    // and the notice queued behind it is still delivered.
    let ghost: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !ghost; i++) {
      const parked = (await s.redis.lrange(`${s.config.REDIS_PREFIX}wechat:undeliverable`, 0, -1)).map((p) => JSON.parse(p));
      ghost = parked.find((p) => p.caseNumber === '20211105-0099');
      if (!ghost) await new Promise((r) => setTimeout(r, 50));
    }
    // For an unknown id the mock puppet's lookup has been seen both to find nothing (parked at
    // once) and to throw (a failed send, parked after 5 attempts); either way it is parked.
    expect(ghost).toMatchObject({ kind: 'case_reply', reason: expect.stringMatching(/^(contact_not_found|send_failed)$/) });
  });

  it('records 有用/没用 for the answer just given, and only then', async () => {
    const c = m.contact('反馈者');
    const inbox = m.inbox(c);
    c.say('怎么申请政府信息公开？').to(m.self);
    const [answer] = await inbox.waitFor(1);
    expect(answer).toContain('请回复“有用”或“没用”');
    c.say('有用').to(m.self);
    const [, thanks] = await inbox.waitFor(2);
    expect(thanks).toContain('感谢您的反馈');
    expect(feedback).toEqual([
      expect.objectContaining({ channel: 'wechat', helpful: true, turn: 1, question: '怎么申请政府信息公开？', citizenRef: await refOf(c.id) }),
    ]);
    // A second "没用" has no fresh answer to refer to: it is a normal turn, not feedback.
    c.say('没用').to(m.self);
    const [, , third] = await inbox.waitFor(3);
    expect(third).not.toContain('感谢您的反馈');
    expect(feedback).toHaveLength(1);
  });

  it('by default puts the vote on the answered turn of the hot-topics question log', async () => {
    const sessionId = 'wechat-0123456789abcdef0123456789abcdef';
    const citizenRef = `wechat:${'a'.repeat(32)}`;
    await s.topics.recordTurn({ sessionId, turn: 3, channel: 'wechat', citizenRef, message: '怎么申请政府信息公开？', action: 'answer', topical: true });
    const sink = topicsFeedbackSink(s);
    const vote = { channel: 'wechat' as const, sessionId, citizenRef, question: '怎么申请政府信息公开？', at: new Date() };
    await sink({ ...vote, helpful: false, turn: 3 });
    expect((await s.topics.entry(logIdOf(sessionId, 3)))?.feedback).toBe('down');
    // A turn the log never saw is not an error for the citizen.
    await expect(sink({ ...vote, helpful: true, turn: 99 })).resolves.toBeUndefined();
  });

  it('announces new and urged cases in the department group from the directory', async () => {
    const yaml = `departments:
  - id: hrss
    name: 牡丹区人力资源和社会保障局
    short: 区人社局
    responsibilities: 社会保险
    wechat_room: 区人社局工单群
  - id: civil
    name: 牡丹区民政局
    short: 区民政局
    responsibilities: 低保
`;
    const services: Services = { ...s, directory: parseDepartments(yaml) };
    const b = await startMockBot(services, { delivery: false });
    try {
      const staff = b.contact('人社局值班员');
      const room = b.room('区人社局工单群', [staff]);
      const inbox = b.inbox(room);
      expect(await b.plugin.announceCase({ event: 'new', caseNumber: '20211105-0012', departmentId: 'hrss', type: 'complain', summary: '某公司拖欠农民工工资三个月', deadline: '2021-11-12' })).toBe('sent');
      expect(await b.plugin.announceCase({ event: 'urge', caseNumber: '20211105-0012', departmentId: 'hrss', summary: '某公司拖欠农民工工资三个月' })).toBe('sent');
      const [created, urged] = await inbox.waitFor(2);
      expect(created).toBe('【新工单】20211105-0012（投诉）\n承办单位：区人社局\n摘要：某公司拖欠农民工工资三个月\n办理时限：2021-11-12\n请及时签收并在时限内办理答复。');
      expect(urged).toMatch(/^【催办】20211105-0012/);
      expect(await b.plugin.announceCase({ event: 'new', caseNumber: '20211105-0013', departmentId: 'civil', summary: '低保咨询' })).toBe('no_room_configured');
      expect(await b.plugin.announceCase({ event: 'new', caseNumber: '20211105-0014', departmentId: 'nope', summary: 'x' })).toBe('unknown_department');
    } finally {
      await b.stop();
    }
  });
});
