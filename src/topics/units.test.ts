import { describe, expect, it } from 'vitest';
import type { DialogueState, TurnResult } from '../dialogue/types.js';
import { BOM, toCsv } from './csv.js';
import { dayNumber, dayOf, parseLocalTime } from './keys.js';
import { keywordsOf, previousWindow } from './report.js';
import { suggestInterpretations } from './suggestions.js';
import type { TopicSummary } from './report.js';
import { outcomeOf, turnLogInput } from './types.js';

describe('time helpers', () => {
  it('uses the local (+08:00) calendar day', () => {
    expect(dayOf(Date.parse('2021-11-04T16:30:00Z'))).toBe('2021-11-05');
    expect(dayOf(Date.parse('2021-11-04T15:59:59Z'))).toBe('2021-11-04');
    expect(parseLocalTime('2019-02-28T11:25:05')).toBe(Date.parse('2019-02-28T11:25:05+08:00'));
    expect(parseLocalTime('2019-02-28T03:25:05Z')).toBe(Date.parse('2019-02-28T03:25:05Z'));
    expect(dayNumber('1970-01-02')).toBe(1);
  });
  it('takes the previous window of equal length', () => {
    expect(previousWindow({ from: '2021-11-01', to: '2021-11-07' })).toEqual({ from: '2021-10-25', to: '2021-10-31' });
  });
});

describe('CSV', () => {
  it('starts with a BOM, quotes and defuses formulas', () => {
    const csv = toCsv([{ a: '含,逗号', b: '=SUM(A1)', c: ['甲', '乙'] }], [
      ['列一', (r) => r.a],
      ['列二', (r) => r.b],
      ['列三', (r) => r.c],
    ]);
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv).toBe(`${BOM}列一,列二,列三\r\n"含,逗号",'=SUM(A1),甲；乙\r\n`);
  });
});

describe('outcomes and log input', () => {
  it('maps engine actions to outcomes', () => {
    expect(outcomeOf('answer')).toBe('answered');
    expect(outcomeOf('clarify')).toBe('clarified');
    expect(outcomeOf('fallback_offer')).toBe('failed');
    expect(outcomeOf('case_created')).toBe('escalated');
    expect(outcomeOf('smalltalk')).toBe('other');
  });

  const state = (extra: Partial<DialogueState> = {}): DialogueState => ({
    sessionId: 's1234567', channel: 'web', citizenRef: 'web:s1234567', turn: 3, history: [], misses: 0, cases: [], ...extra,
  });
  const input = { sessionId: 's1234567', channel: 'web' as const, citizenRef: 'web:s1234567', message: '楼下烧烤店油烟太大' };

  it('marks questions and described complaints as topical, greetings and slot answers not', () => {
    const r = (action: TurnResult['action'], s = state()): Pick<TurnResult, 'intent' | 'action' | 'replies' | 'state'> => ({ intent: 'consult', action, replies: [], state: s });
    expect(turnLogInput(input, r('answer'))).toMatchObject({ turn: 3, topical: true, action: 'answer' });
    expect(turnLogInput(input, r('smalltalk')).topical).toBe(false);
    const collecting = state({ pending: { kind: 'collect', asking: 'where', draft: { type: 'complain', summary: 'x', details: { what: input.message }, excerpt: [] } } as never });
    expect(turnLogInput(input, r('collect', collecting)).topical).toBe(true);
    expect(turnLogInput({ ...input, message: '明天下午' }, r('collect', collecting)).topical).toBe(false);
  });
});

describe('keywords', () => {
  it('chains strong bigrams into the names they form', () => {
    const samples = [
      { q: '伊景园滨河苑捆绑销售车位' },
      { q: '投诉伊景园滨河苑强制捆绑车位' },
      { q: '伊景园滨河苑车位捆绑销售合法吗' },
    ];
    const centroid: Array<[string, number]> = [['伊景', 3], ['景园', 3], ['园滨', 3], ['滨河', 3], ['河苑', 3], ['捆绑', 3], ['车位', 2.5], ['销售', 1]];
    const kw = keywordsOf(samples, centroid);
    expect(kw[0]).toBe('伊景园滨河苑');
    expect(kw).toContain('车位');
    expect(kw.some((k) => k.includes('捆绑'))).toBe(true);
  });
});

const summary = (over: Partial<TopicSummary>): TopicSummary => ({
  id: 't000000000001', label: '公积金怎么提取', keywords: ['公积金'], messages: 10, askers: 10, likes: 0, previous: 2, growth: 4,
  rising: true, outcomes: { answered: 2, clarified: 0, escalated: 1, failed: 7, other: 0 }, answeredShare: 0.2, unansweredShare: 0.8,
  feedback: { up: 0, down: 3 }, downShare: 1, departments: [{ id: 'hrss', count: 5 }], documents: [], knowledgeGap: true, channels: { web: 10 },
  samples: [{ q: '公积金怎么提取', at: '2021-11-05T01:00:00.000Z' }], ...over,
});

describe('interpretation suggestions', () => {
  it('explains in plain words why a topic needs a 解读 and who should write it', () => {
    const [s] = suggestInterpretations([summary({})], { windowDays: 7, departmentName: (id) => (id === 'hrss' ? '区人社局' : undefined) });
    expect(s!.summary).toBe('建议区人社局围绕“公积金怎么提取”撰写政策解读，并主动公开。');
    expect(s!.reasons.join('')).toMatch(/近7天有10人问过/);
    expect(s!.reasons.join('')).toMatch(/增加了400%/);
    expect(s!.reasons.join('')).toMatch(/只有20%的提问能直接用现有政策文件答复/);
    expect(s!.reasons.join('')).toMatch(/点了3次“没用”/);
    expect(s!.reasons.join('')).toMatch(/知识空白/);
    expect(s!.department).toEqual({ id: 'hrss', name: '区人社局' });
  });

  it('leaves out well-answered, steady topics and topics too few people asked', () => {
    const fine = summary({ rising: false, answeredShare: 0.9, unansweredShare: 0.1, downShare: 0, feedback: { up: 5, down: 0 }, knowledgeGap: false, documents: [{ id: 'd', title: '某文件', count: 9 }] });
    const few = summary({ askers: 2 });
    expect(suggestInterpretations([fine, few], { windowDays: 7 })).toEqual([]);
  });
});
