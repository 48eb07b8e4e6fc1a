import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCitizenOutbox } from '../../src/notify/citizen-outbox.js';
import { testServices, type TestServices } from '../helpers/services.js';

let s: TestServices;
beforeAll(async () => {
  s = await testServices({ indexKnowledge: false });
});
afterAll(() => s.cleanup());

describe('citizen outbox (real Redis)', () => {
  it('delivers to the inbox and the channel stream once per idempotency key', async () => {
    const box = createRedisCitizenOutbox(s.redis, s.config.REDIS_PREFIX, () => new Date('2021-11-05T10:00:00+08:00'));
    const msg = { channel: 'wechat' as const, citizenRef: 'wechat:abc', kind: 'case_reply' as const, text: '您好，已处理', caseNumber: '20211105-0001' };
    const a = await box.enqueue(msg, 'reply:20211105-0001:1');
    const b = await box.enqueue(msg, 'reply:20211105-0001:1');
    expect(b).toEqual({ id: a.id, duplicate: true });
    const inbox = await box.inbox('wechat:abc');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ text: '您好，已处理', caseNumber: '20211105-0001' });
    expect(await box.inbox('wechat:abc', inbox[0]!.id)).toHaveLength(0);

    const read1 = await box.readChannel('wechat', 'bot', 'c1');
    expect(read1).toHaveLength(1);
    // Not acknowledged: the same consumer gets it again (crash recovery).
    const read2 = await box.readChannel('wechat', 'bot', 'c1');
    expect(read2.map((m) => m.text)).toEqual(['您好，已处理']);
    await box.ack('wechat', 'bot', read2.map((m) => m.id));
    expect(await box.readChannel('wechat', 'bot', 'c1')).toHaveLength(0);
  });
});
