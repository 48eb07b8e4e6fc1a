import { describe, expect, it } from 'vitest';
import { createWechatIdentity, UNKEYED_REF_SECRET } from './identity.js';
import { formatAnnouncement } from './announce.js';
import { inboundTextSchema } from './inbound.js';

describe('WeChat identity', () => {
  it('gives stable, keyed, pseudonymous references and sessions', async () => {
    const a = createWechatIdentity('secret-one-0123456789');
    const b = createWechatIdentity('secret-two-0123456789');
    const ref = await a.citizenRef('wxid_abc123');
    expect(ref).toMatch(/^wechat:[0-9a-f]{32}$/);
    expect(ref).not.toContain('wxid_abc123');
    expect(await a.citizenRef('wxid_abc123')).toBe(ref);
    expect(await b.citizenRef('wxid_abc123')).not.toBe(ref);
    expect(await a.citizenRef('wxid_abc124')).not.toBe(ref);

    const priv = await a.sessionId('wxid_abc123');
    const group = await a.sessionId('wxid_abc123', '123@chatroom');
    expect(priv).toMatch(/^wechat-[0-9a-f]{32}$/);
    expect(group).toMatch(new RegExp(`^${priv}-[0-9a-f]{12}$`));
    expect(await a.sessionId('wxid_abc123', '456@chatroom')).not.toBe(group);
  });

  it('falls back to an unkeyed digest that is still stable', async () => {
    expect(await createWechatIdentity().citizenRef('x')).toBe(await createWechatIdentity(UNKEYED_REF_SECRET).citizenRef('x'));
  });
});

describe('untrusted text', () => {
  it('drops control and zero-width characters and normalises the mention space', () => {
    expect(inboundTextSchema.parse('\u200B 社保\u0007怎么\u2005补缴？\uFEFF ')).toBe('社保怎么 补缴？');
  });

  it('never lets a citizen summary @-mention a department group', () => {
    const text = formatAnnouncement({ event: 'new', caseNumber: '20211105-0001', departmentId: 'x', summary: '@所有人 快来看＠张三' }, '区人社局');
    expect(text).not.toMatch(/[@＠]/);
    expect(text).toContain('摘要：（at）所有人 快来看（at）张三');
  });
});
