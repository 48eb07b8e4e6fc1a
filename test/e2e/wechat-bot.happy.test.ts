import { FileBox } from 'file-box';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, type TestServices } from '../helpers/services.js';
import { sayAt, startMockBot, type MockBot } from './wechat-harness.js';

let s: TestServices;
let m: MockBot;
beforeAll(async () => {
  s = await testServices();
  m = await startMockBot(s);
});
afterAll(async () => {
  await m?.stop();
  await s?.cleanup();
});

describe('WeChat bot on wechaty-puppet-mock (real Meilisearch + Redis)', () => {
  it('answers a private question with a cited, Markdown-free answer', async () => {
    const alice = m.contact('张三');
    const inbox = m.inbox(alice);
    alice.say('怎么申请政府信息公开？').to(m.self);
    const [answer] = await inbox.waitFor(1);
    expect(answer).toMatch(/申请/);
    expect(answer).toMatch(/依据：(\d\. )?《[^》]*公开[^》]*》/);
    expect(answer).not.toMatch(/\*\*|^#|\]\(/m);
  });

  it('answers 社保断缴了怎么补缴 in a private chat with a citation', async () => {
    const citizen = m.contact('孙八');
    const inbox = m.inbox(citizen);
    citizen.say('社保断缴了怎么补缴').to(m.self);
    const [answer] = await inbox.waitFor(1);
    expect(answer).toMatch(/依据：(\d\. )?《社会保险费断缴、补缴常见问题》/);
    expect(answer).toMatch(/补缴|补足/);
  });

  it('in a group answers only when @-mentioned, strips the mention and @-mentions the asker', async () => {
    const bob = m.contact('李四');
    const carol = m.contact('王五');
    const room = m.room('牡丹区居民咨询群', [bob, carol]);
    const inbox = m.inbox(room);
    carol.say('大家好，今天天气不错').to(room);
    bob.say('有人知道怎么申请政府信息公开吗').to(room);
    await m.settle();
    expect(inbox.texts).toEqual([]);

    bob.say('@一号答 怎么申请政府信息公开？', [m.self]).to(room);
    const [answer] = await inbox.waitFor(1);
    expect(answer).toMatch(/^@李四[\u2005 ]/);
    expect(answer).toMatch(/《[^》]*公开[^》]*》/);
    await m.settle();
    expect(inbox.texts).toHaveLength(1);
  });

  it('replies politely to private non-text messages and ignores them in groups', async () => {
    const dave = m.contact('赵六');
    const inbox = m.inbox(dave);
    dave.say(FileBox.fromBase64(Buffer.from('not really a jpeg').toString('base64'), 'photo.jpg')).to(m.self);
    const [hint] = await inbox.waitFor(1);
    expect(hint).toContain('图片');
    expect(hint).toContain('文字');

    const box = (name: string) => FileBox.fromBase64(Buffer.from('x').toString('base64'), name);
    dave.say(box('clip.mp4')).to(m.self);
    expect((await inbox.waitFor(2))[1]).toContain('视频');
    // The mock reports this as an unknown kind, like system notices and pats: ignored.
    dave.say(box('合同.pdf')).to(m.self);
    await m.settle();
    expect(inbox.texts).toHaveLength(2);

    const room = m.room('图片群', [dave]);
    const roomInbox = m.inbox(room);
    dave.say(FileBox.fromBase64(Buffer.from('x').toString('base64'), 'photo.png')).to(room);
    await m.settle();
    expect(roomInbox.texts).toEqual([]);
  });

  it('tells citizens the service is free when they send money, and what it cannot read', async () => {
    const T = m.bot.Message.Type;
    const cases: Array<[number, string]> = [[T.Transfer, '不接收转账或红包'], [T.RedEnvelope, '不接收转账或红包'], [T.Location, '位置信息'], [T.MiniProgram, '小程序']];
    for (const [type, expected] of cases) {
      const c = m.contact(`类型${type}`);
      const inbox = m.inbox(c);
      sayAt(m, c, '', Date.now(), type);
      const [hint] = await inbox.waitFor(1);
      expect(hint).toContain(expected);
    }
  });

  it('ignores official accounts and history synced from before login', async () => {
    const official = m.contact('某某服务号', { type: m.bot.Contact.Type.Official });
    const officialInbox = m.inbox(official);
    official.say('怎么申请政府信息公开？').to(m.self);

    const erin = m.contact('钱七');
    const erinInbox = m.inbox(erin);
    sayAt(m, erin, '怎么申请政府信息公开？', Date.now() - 10 * 60_000);
    await m.settle();
    expect(officialInbox.texts).toEqual([]);
    expect(erinInbox.texts).toEqual([]);

    // The same contact asking now is answered: it was the age that mattered.
    erin.say('怎么申请政府信息公开？').to(m.self);
    await erinInbox.waitFor(1);
    await m.settle();
    expect(erinInbox.texts).toHaveLength(1);
    expect(officialInbox.texts).toEqual([]);
  });

  it('answers one asker strictly in order, even when a later message is quicker to handle', async () => {
    const gina = m.contact('周九');
    const inbox = m.inbox(gina);
    gina.say('怎么申请政府信息公开？').to(m.self);
    gina.say('请问'.repeat(1001)).to(m.self);
    const [first, second] = await inbox.waitFor(2);
    expect(first).toContain('依据：');
    expect(second).toContain('2000字以内');
  });

  it('asks for text when @-mentioned with nothing else, and refuses over-long messages', async () => {
    const frank = m.contact('孙八');
    const room = m.room('空提问群', [frank]);
    const roomInbox = m.inbox(room);
    frank.say('@一号答', [m.self]).to(room);
    const [hint] = await roomInbox.waitFor(1);
    expect(hint).toContain('请在@我之后');

    const inbox = m.inbox(frank);
    frank.say('请问'.repeat(1001)).to(m.self);
    const [tooLong] = await inbox.waitFor(1);
    expect(tooLong).toContain('2000字以内');
  });
});
