import { describe, expect, it } from 'vitest';
import type { Passage } from '../knowledge/schema.js';
import { SearchUnavailableError, type RetrievalHit, type Retriever, type SearchFilters } from '../retrieval/types.js';
import { handleTurn, pickOption, type DialogueDeps } from './engine.js';
import { newState, type DialogueState, type Intent } from './types.js';

function passage(docId: string, title: string, text: string, section = ''): Passage {
  return { id: `${docId}--0`, docId, title, type: 'guide', status: '现行有效', departments: [], topics: [], headings: section ? [section] : [], section, text, order: 0 };
}

/** A scripted retriever for unit tests: returns the hits registered for a substring of the query. */
function scriptedRetriever(table: Array<{ when: RegExp; hits: Array<[Passage, number]> }>, calls: Array<{ q: string; f?: SearchFilters }> = []): Retriever {
  return {
    async search(q, opts) {
      calls.push({ q, f: opts?.filters });
      const row = table.find((r) => r.when.test(q));
      let hits: RetrievalHit[] = (row?.hits ?? []).map(([p, score]) => ({ passage: p, score, answer: p.text }));
      if (opts?.filters?.docId) hits = hits.filter((h) => h.passage.docId === opts.filters!.docId);
      return { normalized: q, hits, confidence: hits[0]?.score ?? 0, tookMs: 1 };
    },
  };
}

function deps(retriever: Retriever, intents: Record<string, Intent> = {}): DialogueDeps {
  return {
    classify: (text) => {
      for (const [k, v] of Object.entries(intents)) if (text.includes(k)) return { intent: v, confidence: 0.9 };
      return { intent: 'consult', confidence: 0.5 };
    },
    retriever,
    route: (text) => (/噪音|工地/.test(text) ? { department: 'housing', confidence: 0.8 } : { confidence: 0 }),
    departmentName: (id) => (id === 'housing' ? '牡丹区住房和城乡建设局' : undefined),
    lookupCase: async (n, ref) =>
      n === '20211105-0001' && ref === 'web:me' ? { number: n, type: 'complain', statusLabel: '已签收', departmentName: '区住建局', deadline: '2021-11-12' } : undefined,
    now: () => new Date('2021-11-05T10:00:00+08:00'),
  };
}

const guide = passage('guide', '依申请公开政府信息办事指南', '申请应当采用包括信件、数据电文在内的书面形式。', '二、申请方式和渠道');
const materials = { ...passage('guide', '依申请公开政府信息办事指南', '政府信息公开申请应当包括申请人的姓名、身份证明、联系方式。', '三、申请需要写明的内容（需要带什么材料）'), id: 'guide--1' };
const other = passage('other', '社会保险费补缴办法', '断缴可以补缴。');

async function run(d: DialogueDeps, messages: string[], start: DialogueState = newState('s1', 'web', 'web:me')) {
  let state = start;
  const results = [];
  for (const m of messages) {
    const r = await handleTurn(d, state, m);
    state = r.state;
    results.push(r);
  }
  return results;
}

describe('handleTurn', () => {
  it('answers a consult question with a citation and remembers the topic', async () => {
    const [r] = await run(deps(scriptedRetriever([{ when: /政府信息公开/, hits: [[guide, 0.9]] }])), ['怎么申请政府信息公开？']);
    expect(r!.action).toBe('answer');
    expect(r!.replies[0]!.citations[0]).toMatchObject({ id: 'guide', title: '依申请公开政府信息办事指南', section: '二、申请方式和渠道' });
    expect(r!.replies[0]!.text).toContain('书面形式');
    expect(r!.state.topic?.docId).toBe('guide');
  });

  it('uses the conversation context for a follow-up', async () => {
    const calls: Array<{ q: string; f?: SearchFilters }> = [];
    const retriever = scriptedRetriever([
      { when: /材料/, hits: [[materials, 0.8], [other, 0.3]] },
      { when: /政府信息公开/, hits: [[guide, 0.9]] },
    ], calls);
    const [, r] = await run(deps(retriever), ['怎么申请政府信息公开？', '那需要带什么材料？']);
    expect(calls[1]!.q).toContain('政府信息公开');
    expect(calls[1]!.q).toContain('材料');
    expect(calls.some((c) => c.f?.docId === 'guide')).toBe(true);
    expect(r!.replies[0]!.text).toContain('身份证明');
  });

  it('asks one clarifying question when the top documents are too close, and a number picks', async () => {
    const a = passage('a', '城乡居民养老保险办法', '缴费档次分为…');
    const b = passage('b', '职工养老保险办法', '缴费基数为…');
    const retriever = scriptedRetriever([{ when: /养老/, hits: [[a, 0.6], [b, 0.59]] }]);
    const [r1, r2] = await run(deps(retriever), ['养老保险', '2']);
    expect(r1!.action).toBe('clarify');
    expect(r1!.replies[0]!.options).toHaveLength(2);
    expect(r2!.action).toBe('answer');
    expect(r2!.replies[0]!.citations[0]!.id).toBe('b');
  });

  it('offers the best documents as choices when not sure enough to answer, and a number picks one', async () => {
    const a = passage('a', '关于阶段性减免企业社会保险费的通知', '免征中小微企业三项社会保险单位缴费部分，免征期限不超过5个月。');
    const b = passage('b', '社会保险费补缴办法', '断缴可以补缴。');
    const retriever = scriptedRetriever([{ when: /社保/, hits: [[a, 0.45], [{ ...a, id: 'a--1' }, 0.44], [b, 0.3]] }]);
    const d = { ...deps(retriever), answerThreshold: 0.6, suggestThreshold: 0.3 };
    const [r1, r2] = await run(d, ['小厂的社保单位那块能免几个月', '1']);
    expect(r1!.action).toBe('choices');
    expect(r1!.replies[0]!.citations).toHaveLength(0); // nothing is asserted as the answer
    // One choice per document, then "none of these".
    expect(r1!.replies[0]!.options).toEqual(['《关于阶段性减免企业社会保险费的通知》', '《社会保险费补缴办法》', '都不是']);
    expect(r1!.replies[0]!.text).toContain('3. 都不是');
    expect(r2!.action).toBe('answer');
    expect(r2!.replies[0]!.citations[0]!.id).toBe('a');
    expect(r2!.replies[0]!.text).toContain('免征期限');
  });

  it('takes "都不是" to the case / hotline offer for the question as asked', async () => {
    const retriever = scriptedRetriever([{ when: /补贴/, hits: [[other, 0.35]] }]);
    const d = { ...deps(retriever), answerThreshold: 0.6, suggestThreshold: 0.3 };
    const [r1, r2, r3] = await run(d, ['养鸡的有啥补贴', '都不是', '1']);
    expect(r1!.action).toBe('choices');
    expect(r2!.action).toBe('fallback_offer');
    expect(r2!.replies[0]!.options).toEqual(['留言登记工单', '拨打12345热线']);
    expect(r3!.action).toBe('collect');
    expect(r3!.state.pending).toMatchObject({ kind: 'collect', draft: { details: { what: '养鸡的有啥补贴' } } });
  });

  it('offers choices from a lower confidence when the first hit holds the question\'s policy vocabulary', async () => {
    const withVocabulary = (topicCoverage: number | undefined): Retriever => ({
      search: async (q) => ({ normalized: q, hits: [{ passage: other, score: 0.15, answer: other.text }], confidence: 0.15, ...(topicCoverage === undefined ? {} : { topicCoverage }), tookMs: 1 }),
    });
    const d = (r: Retriever) => ({ ...deps(r), answerThreshold: 0.6, suggestThreshold: 0.3, suggestWithVocabularyThreshold: 0.1 });
    expect((await run(d(withVocabulary(0.5)), ['我家社保断了好几个月了咋整']))[0]!.action).toBe('choices');
    // No policy vocabulary in the question, or none of it in the hit: "not found" as before.
    expect((await run(d(withVocabulary(undefined)), ['明天天气咋样']))[0]!.action).toBe('fallback_rephrase');
    expect((await run(d(withVocabulary(0)), ['社保咋整']))[0]!.action).toBe('fallback_rephrase');
  });

  it('says "not found" below the suggestion threshold, and never suggests without one', async () => {
    const low = scriptedRetriever([{ when: /火星/, hits: [[other, 0.2]] }]);
    const [r] = await run({ ...deps(low), answerThreshold: 0.6, suggestThreshold: 0.3 }, ['火星移民补贴']);
    expect(r!.action).toBe('fallback_rephrase');
    const mid = scriptedRetriever([{ when: /火星/, hits: [[other, 0.4]] }]);
    const [r2] = await run({ ...deps(mid), answerThreshold: 0.6 }, ['火星移民补贴']);
    expect(r2!.action).toBe('fallback_rephrase');
  });

  it('walks the fallback ladder: rephrase hint, then offer a case, which can be taken', async () => {
    const retriever = scriptedRetriever([]);
    const [r1, r2, r3] = await run(deps(retriever), ['火星移民补贴怎么领', '火星上的补贴标准', '1']);
    expect(r1!.action).toBe('fallback_rephrase');
    expect(r1!.replies[0]!.citations).toHaveLength(0);
    expect(r2!.action).toBe('fallback_offer');
    expect(r2!.replies[0]!.options).toEqual(['留言登记工单', '拨打12345热线']);
    expect(r3!.action).toBe('collect');
    expect(r3!.state.pending).toMatchObject({ kind: 'collect', draft: { type: 'consult', details: { what: '火星上的补贴标准' } } });
  });

  it('apologises and offers a case when search is down', async () => {
    const down: Retriever = { search: async () => { throw new SearchUnavailableError(new Error('ECONNREFUSED')); } };
    const [r] = await run(deps(down), ['低保怎么申请']);
    expect(r!.action).toBe('unavailable');
    expect(r!.replies[0]!.text).toContain('故障');
    expect(r!.state.pending).toEqual({ kind: 'offer', question: '低保怎么申请' });
  });

  it('collects details for a complaint, confirms, and emits one create_case effect', async () => {
    const d = deps(scriptedRetriever([]), { 投诉: 'complain' });
    const rs = await run(d, ['我要投诉', '工地晚上施工噪音太大睡不着', '牡丹街道某小区旁边', '这一周每天晚上', '13812345678', '确认']);
    expect(rs.map((r) => r.action)).toEqual(['collect', 'collect', 'collect', 'collect', 'confirm', 'case_created']);
    expect(rs[4]!.replies[0]!.text).toContain('牡丹区住房和城乡建设局');
    const effect = rs[5]!.effects[0]!;
    expect(effect.kind).toBe('create_case');
    if (effect.kind !== 'create_case') throw new Error('unreachable');
    expect(effect.idempotencyKey).toBe('s1:1');
    expect(effect.draft).toMatchObject({
      type: 'complain',
      department: 'housing',
      contact: '13812345678',
      details: { what: '工地晚上施工噪音太大睡不着', where: '牡丹街道某小区旁边', when: '这一周每天晚上' },
    });
  });

  it('takes the matter from the first message and lets the citizen skip contact or cancel', async () => {
    const d = deps(scriptedRetriever([]), { 建议: 'suggest' });
    const rs = await run(d, ['建议在人民公园多装几个路灯，晚上太黑了', '跳过', '取消']);
    expect(rs[0]!.state.pending).toMatchObject({ asking: 'contact' });
    expect(rs[1]!.action).toBe('confirm');
    expect(rs[2]!.action).toBe('cancelled');
    expect(rs[2]!.state.pending).toBeUndefined();
  });

  it('accepts the number of a quick-reply option at the contact and confirm steps', async () => {
    const d = deps(scriptedRetriever([]), { 建议: 'suggest' });
    const rs = await run(d, ['建议在人民公园多装几个路灯，晚上太黑了', '1', '1']);
    expect(rs[1]!.action).toBe('confirm');
    const pending = rs[1]!.state.pending;
    expect(pending?.kind === 'collect' && pending.draft.contact).toBeFalsy();
    expect(rs[2]!.action).toBe('case_created');
    const cancel = await run(d, ['建议在人民公园多装几个路灯，晚上太黑了', '跳过', '2']);
    expect(cancel[2]!.action).toBe('cancelled');
  });

  it('reports case status only for the citizen’s own case', async () => {
    const d = deps(scriptedRetriever([]), { 工单: 'case_status', 进度: 'case_status' });
    const [mine] = await run(d, ['查一下工单20211105-0001的进度']);
    expect(mine!.replies[0]!.text).toContain('已签收');
    expect(mine!.replies[0]!.caseNumber).toBe('20211105-0001');
    const [theirs] = await run(d, ['查一下工单20211105-0001的进度'], newState('s2', 'web', 'web:someone-else'));
    expect(theirs!.replies[0]!.text).toContain('没有查到');
    const [none] = await run(d, ['我的工单进度']);
    expect(none!.replies[0]!.text).toContain('工单编号');
  });

  it('replies to greetings and off-topic messages with what the service can do', async () => {
    const d = deps(scriptedRetriever([]), { 你好: 'greet', 谢谢: 'thanks', 再见: 'bye', 天气: 'other' });
    const rs = await run(d, ['你好', '谢谢', '今天天气怎么样', '再见']);
    expect(rs.map((r) => r.action)).toEqual(['smalltalk', 'smalltalk', 'smalltalk', 'smalltalk']);
    expect(rs[0]!.replies[0]!.text).toContain('政策');
    expect(rs[2]!.replies[0]!.text).toContain('登记');
  });
});

describe('pickOption', () => {
  it.each([
    ['1', 0], ['２', 1], ['第二个', 1], ['三', 2], ['职工养老', 1], ['9', undefined], ['随便', undefined],
  ])('%s → %s', (msg, want) => {
    expect(pickOption(msg as string, ['城乡居民养老', '职工养老', '失业保险'])).toBe(want);
  });
});
