import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { indexKnowledge } from '../../src/node/bootstrap.js';
import type { TurnLogInput } from '../../src/topics/types.js';
import { KNOWLEDGE_DIR, testServices, type TestServices } from '../helpers/services.js';

const clock = fixedClock('2021-11-05T09:00:00+08:00');
let s: TestServices;
let dir: string;

const ask = (citizenRef: string, channel: TurnLogInput['channel'], message: string, extra: Partial<TurnLogInput> = {}): TurnLogInput => ({
  sessionId: `interp-${citizenRef.replace(/\W/g, '')}-${message.length}-${extra.turn ?? 1}`,
  turn: 1,
  channel,
  citizenRef,
  message,
  action: 'fallback_rephrase',
  ...extra,
});

const NEW_INTERPRETATION = `---
id: mudan-elevator-subsidy-qa
title: 牡丹区既有住宅加装电梯补贴政策解读
type: interpretation
issuer: 菏泽市牡丹区住房和城乡建设局
published: 2021-11-04
status: 现行有效
departments: [housing]
topics: [加装电梯补贴]
source_url: https://www.mudan.gov.cn/art/2021/11/4/elevator.html
---

# 牡丹区既有住宅加装电梯补贴政策解读

## 问：哪些住宅可以申请加装电梯补贴？

答：本区城镇既有多层住宅，经业主协商一致并依法办理手续后加装电梯的，可以申请补贴。
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yhd-knowledge-'));
  cpSync(KNOWLEDGE_DIR, dir, { recursive: true });
  s = await testServices({ clock, indexKnowledge: false, config: { KNOWLEDGE_DIR: dir, LOG_RETENTION_DAYS: '90' } });
  // First start: the shipped interpretations are the baseline, announced to nobody.
  await indexKnowledge(s, dir);
  await s.topics.recordMany([
    ask('import:old', 'import', '灵活就业人员养老保险怎么交'),
    ask('web:bg1', 'web', '失业保险金领取条件'),
    ask('web:bg2', 'web', '新生儿户口登记要带什么'),
    ask('web:bg3', 'web', '城乡居民医保缴费截止时间'),
    ask('wx:long-ago', 'wechat', '老旧小区加装电梯有没有补贴', { at: '2021-06-01T10:00:00+08:00' }),
    ask('web:alice', 'web', '老旧小区加装电梯有没有补贴'),
    ask('web:alice', 'web', '加装电梯补贴怎么申请', { turn: 2 }),
    ask('wx:bob', 'wechat', '我们楼想加装电梯，补贴标准是多少'),
    ask('import:carol', 'import', '加装电梯补贴申请要什么材料'),
    ask('panel:dave', 'panel', '老楼加装电梯补贴怎么申请'),
    ask('web:erin', 'web', '冬季集中供暖什么时候开始'),
  ]);
});
afterAll(async () => {
  await s.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const inbox = (ref: string) => s.outbox.inbox(ref);

describe('new interpretations reach the citizens who asked', () => {
  it('announces nothing for interpretations that were there at the first start', async () => {
    for (const ref of ['web:alice', 'wx:bob', 'web:erin']) expect(await inbox(ref)).toEqual([]);
  });

  it('notifies askers of the topic on web and WeChat, once each, when a new interpretation is indexed', async () => {
    writeFileSync(join(dir, 'interpretations', 'mudan-elevator-subsidy-qa.md'), NEW_INTERPRETATION);
    await indexKnowledge(s, dir);
    const alice = await inbox('web:alice');
    const bob = await inbox('wx:bob');
    expect(alice).toHaveLength(1);
    expect(bob).toHaveLength(1);
    expect(alice[0]).toMatchObject({ kind: 'interpretation', channel: 'web', url: 'https://www.mudan.gov.cn/art/2021/11/4/elevator.html' });
    expect(alice[0]!.text).toContain('《牡丹区既有住宅加装电梯补贴政策解读》');
    expect(alice[0]!.text).toContain('电梯');
    expect(bob[0]!.channel).toBe('wechat');
    // Imported messages and agents' panel have nobody to notify; other topics are not told;
    // questions older than the retention window are not followed up.
    for (const ref of ['import:carol', 'panel:dave', 'web:erin', 'wx:long-ago', 'web:bg1']) expect(await inbox(ref)).toEqual([]);
  });

  it('never announces the same interpretation twice, also after a restart', async () => {
    await indexKnowledge(s, dir);
    const restarted = await testServices({ clock, indexKnowledge: false, config: { KNOWLEDGE_DIR: dir, REDIS_PREFIX: s.config.REDIS_PREFIX, INDEX_NAME: s.config.INDEX_NAME } });
    try {
      await indexKnowledge(restarted, dir);
    } finally {
      restarted.redis.disconnect();
    }
    expect(await inbox('web:alice')).toHaveLength(1);
    expect(await inbox('wx:bob')).toHaveLength(1);
  });

  it('matches an interpretation topic to the grouped questions', async () => {
    const ids = await s.topics.matchTopics('加装电梯补贴');
    expect(ids).toHaveLength(1);
    const detail = await s.topics.topic(ids[0]!, s.topics.defaultWindow(7));
    expect(detail?.samples.every((x) => x.q.includes('电梯'))).toBe(true);
    expect(await s.topics.matchTopics('集中供暖')).not.toContain(ids[0]);
  });
});
