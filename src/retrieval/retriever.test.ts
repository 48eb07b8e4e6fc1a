import { describe, expect, it } from 'vitest';
import { terms } from './bm25.js';
import { loadStoredModel, modelFromPassages } from './query-model.js';
import { understandQuery } from './query.js';
import { confidenceOf, createMeiliRetriever, onlyDocument, pickHits, REPOST_MIN_CHARS, showBestPassages, scoreDocuments, topicCoverageOf, topDocuments, type Scored } from './retriever.js';
import type { Meilisearch } from 'meilisearch';
import { SearchUnavailableError, type PassageDocument } from './types.js';
import { EMPTY_SYNONYMS } from './synonyms.js';

const p = (docId: string, title: string, text: string) => ({ docId, title, headings: [], text, context: '' });

// Real policy sentences: document "spread" has the question's two subjects in different passages,
// "single" repeats one of them; "other" is about something else.
const model = loadStoredModel(
  modelFromPassages(
    [
      p('spread', '关于支持企业复工复产的通知', '受疫情影响生产经营出现严重困难的企业，可申请缓缴社会保险费。'),
      p('spread', '关于支持企业复工复产的通知', '缓缴期间免收滞纳金，缓缴期限原则上不超过6个月。'),
      p('single', '社会保险经办服务', '社会保险经办机构要做好个人权益记录工作，确保参保人员社会保险权益不受影响。'),
      p('single', '社会保险经办服务', '参保人员可通过网上办理社会保险业务。'),
      p('other', '租金减免', '对承租国有资产类经营用房的中小微企业，免收2月、3月两个月房租。'),
    ],
    EMPTY_SYNONYMS,
  ),
);

describe('scoreDocuments (whole-document BM25)', () => {
  const u = understandQuery('缓缴社会保险费期间的滞纳金怎么算', EMPTY_SYNONYMS, model.lexicon, model.idf);
  const scores = scoreDocuments(['spread', 'single', 'other', 'unknown'], u, model);

  it('ranks the document holding all parts of the question, across passages, first', () => {
    expect(scores.get('spread')!).toBeGreaterThan(scores.get('single')!);
    expect(scores.get('single')!).toBeGreaterThan(scores.get('other')!);
  });

  it('skips documents the model does not know', () => {
    expect(scores.has('unknown')).toBe(false);
  });

  it('is empty for a stored model without document statistics', () => {
    const old = loadStoredModel({ v: 1, n: 0, avgLen: 0, df: '', synonyms: EMPTY_SYNONYMS });
    expect(scoreDocuments(['spread'], u, old).size).toBe(0);
  });
});

describe('confidenceOf', () => {
  it('is 0 without a hit and grows with coverage, score and margin', () => {
    expect(confidenceOf(undefined)).toBe(0);
    const low = confidenceOf({ score: 0.8, coverage: 0.4 }, { score: 0.75 });
    const high = confidenceOf({ score: 2.4, coverage: 1 }, { score: 1.2 });
    expect(high).toBeGreaterThan(0.8);
    expect(low).toBeLessThan(0.6);
  });
});

describe('topDocuments (whole-document candidates over the whole index)', () => {
  it('ranks every document the model knows, not only passage candidates, best first', () => {
    const u = understandQuery('缓缴社会保险费期间的滞纳金怎么算', EMPTY_SYNONYMS, model.lexicon, model.idf);
    expect(topDocuments(u, model, 2)).toEqual(['spread', 'single']);
    expect(topDocuments(u, model, 0)).toEqual([]);
  });
  it('leaves out documents sharing no term with the question', () => {
    const u = understandQuery('房租', EMPTY_SYNONYMS, model.lexicon, model.idf);
    expect(topDocuments(u, model, 5)).toEqual(['other']);
  });
});

describe('pickHits', () => {
  const text = '受疫情影响生产经营出现严重困难的企业，可申请缓缴社会保险费，缓缴期限原则上不超过6个月，缓缴期间免收滞纳金。';
  const s = (docId: string, t: string, score: number, extra: Partial<PassageDocument> = {}): Scored => ({
    doc: { id: `${docId}#${score}`, docId, title: `《${docId}》`, type: 'policy', headings: [], headingsText: '', text: t, status: '现行有效', departments: [], topics: [], ...extra } as PassageDocument,
    score,
    coverage: 1,
    matched: new Set(),
  });

  it('shows a passage two documents share word for word once, naming the repost in alsoIn', () => {
    const hits = pickHits([s('a', text, 3), s('b', ` ${text}\n`, 2.9, { docNo: '人社部发〔2020〕11号' }), s('c', '其他内容其他内容其他内容其他内容其他内容其他内容其他内容其他内容其他内容其他内容', 1)], 5, 1);
    expect(hits.map((h) => h.doc.docId)).toEqual(['a', 'c']);
    expect(hits[0]!.alsoIn).toEqual([{ docId: 'b', title: '《b》', docNo: '人社部发〔2020〕11号' }]);
  });

  it('treats a repost that differs only in spacing, punctuation width or traditional characters as the same passage', () => {
    // Real variant from the NCPQA corpus: one site printed 落後 and half-width punctuation.
    const original = '坚持不裁员或裁员率不高于上年度全国城镇调查失业率的参保企业（不含淘汰落后产能企业），可返还其上年度实际缴纳失业保险费的50%。';
    const repost = '坚持不裁员或裁员率不高于上年度全国城镇调查失业率的参保企业(不含淘汰落後产能企业), 可返还其上年度实际缴纳失业保险费的50%.';
    const hits = pickHits([s('a', original, 3), s('b', repost, 2.9)], 5, 1);
    expect(hits.map((h) => h.doc.docId)).toEqual(['a']);
    expect(hits[0]!.alsoIn.map((d) => d.docId)).toEqual(['b']);
    // One word different is a different passage.
    const changed = original.replace('50%', '70%');
    expect(pickHits([s('a', original, 3), s('b', changed, 2.9)], 5, 1).map((h) => h.doc.docId)).toEqual(['a', 'b']);
  });

  it('does not show the repost document again through another of its passages', () => {
    const hits = pickHits([s('a', text, 3), s('b', text, 2.9), s('b', '另一段不同的内容另一段不同的内容另一段不同的内容另一段不同的内容另一段不同的内容', 2)], 5, 1);
    expect(hits.map((h) => h.doc.docId)).toEqual(['a']);
  });

  it('names the copies the index found even when they were not candidates, and does not show them again', () => {
    const copy = { docId: 'z', title: '《z》', docNo: '财税〔2020〕8号' };
    const hits = pickHits([s('a', text, 3, { reposts: [copy] }), s('z', '另一段不同的内容另一段不同的内容另一段不同的内容另一段不同的内容另一段不同的内容', 2), s('c', '第三段内容第三段内容第三段内容', 1)], 5, 1);
    expect(hits.map((h) => h.doc.docId)).toEqual(['a', 'c']);
    expect(hits[0]!.alsoIn).toEqual([copy]);
  });

  it('keeps short identical passages (headings, salutations) apart and respects limit and perDoc', () => {
    const hi = '各省、自治区、直辖市人民政府：';
    expect(hi.length).toBeLessThan(REPOST_MIN_CHARS);
    const hits = pickHits([s('a', hi, 3), s('b', hi, 2), s('a', text, 1.5), s('c', text, 1)], 2, 1);
    expect(hits.map((h) => h.doc.docId)).toEqual(['a', 'b']);
    expect(hits.every((h) => h.alsoIn.length === 0)).toBe(true);
    expect(pickHits([s('a', hi, 3), s('a', text, 2)], 5, 2)).toHaveLength(2);
  });
});

describe('topicCoverageOf', () => {
  const tf = (text: string) => new Map(terms(text).map((t) => [t, 1]));
  it('is the share of the question\'s policy vocabulary the passage holds, absent when there is none', () => {
    expect(topicCoverageOf({ topic: '社会保险 缓缴' }, tf('企业可申请缓缴社会保险费'))).toEqual({ topicCoverage: 1 });
    expect(topicCoverageOf({ topic: '社会保险 缓缴' }, tf('缓缴期间免收滞纳金')).topicCoverage).toBeCloseTo(0.25, 3);
    expect(topicCoverageOf({ topic: '' }, tf('企业可申请缓缴社会保险费'))).toEqual({});
  });
});

describe('onlyDocument', () => {
  it('is the document id when the filters ask for one document and nothing else', () => {
    expect(onlyDocument({ docId: 'd1' })).toBe('d1');
    expect(onlyDocument({ docId: 'd1', type: [] })).toBe('d1');
    expect(onlyDocument({ docId: 'd1', type: ['policy'] })).toBeUndefined();
    expect(onlyDocument({ type: ['policy'] })).toBeUndefined();
    expect(onlyDocument(undefined)).toBeUndefined();
  });
});

describe('showBestPassages', () => {
  const p = (docId: string, order: number, text: string, score: number, body: number): Scored => ({
    doc: { id: `${docId}--${order}`, docId, title: docId, type: 'policy', headings: [], section: '', headingsText: '', text, order, status: '现行有效', departments: [], topics: [] } as PassageDocument,
    score,
    coverage: 0.5 + order / 10,
    matched: new Set(),
    body,
  });

  it("keeps documents in score order but shows the passage whose own text answers, not a byline that only shares the title and lead", () => {
    // Real case (NCPQA): "鹤壁市疫情防控指挥部如何投放一次性口罩？" — the byline scored highest
    // through the shared lead; the passage with the answer matches in its own text.
    const byline = p('hebi', 1, '责任编辑：李瑞', 3.28, 0.1);
    const answer = p('hebi', 0, '2月21日是鹤壁市向市区投放一次性口罩的第一天，市疫情防控指挥部对此情况进行督导……指定市千禧新特药有限责任公司定点销售。', 3.13, 1.6);
    const other = p('other', 0, '其他文件的段落', 3.2, 1.2);
    const out = showBestPassages([byline, other, answer]);
    expect(out.map((s) => s.doc.id)).toEqual(['hebi--0', 'hebi--1', 'other--0']);
    // The shown passage carries its document's rank score and coverage.
    expect(out[0]!.score).toBe(3.28);
    expect(out[0]!.coverage).toBe(byline.coverage);
    expect(pickHits(out, 5, 1).map((h) => h.doc.id)).toEqual(['hebi--0', 'other--0']);
  });
});

describe('createMeiliRetriever when Meilisearch becomes unreachable', () => {
  // A stand-in for the Meilisearch client with the two calls the retriever makes; the real server
  // cases (killed, hung) are in test/integration/faults-meili-down.test.ts.
  const passages = [
    { id: 'spread#0', docId: 'spread', title: '关于支持企业复工复产的通知', headings: [], headingsText: '', text: '受疫情影响生产经营出现严重困难的企业，可申请缓缴社会保险费。', context: '', type: 'policy', status: '现行有效', departments: [], topics: [], section: '', order: 0 },
    { id: 'other#0', docId: 'other', title: '租金减免', headings: [], headingsText: '', text: '对承租国有资产类经营用房的中小微企业，免收2月、3月两个月房租。', context: '', type: 'policy', status: '现行有效', departments: [], topics: [], section: '', order: 0 },
  ] as unknown as PassageDocument[];
  const stored = modelFromPassages(passages, EMPTY_SYNONYMS);
  let down = false;
  const client = {
    index: () => ({
      getDocument: async (_id: string, opts?: { fields?: string[] }) => {
        if (down) throw new TypeError('fetch failed');
        return opts?.fields ? { hash: 'h1' } : { hash: 'h1', model: stored };
      },
    }),
    multiSearch: async (params: { queries: Array<{ filter?: string[] }> }) => {
      if (down) throw new TypeError('fetch failed');
      return {
        results: params.queries.map((q) => {
          const ids = /docId IN \[(.*)\]/.exec((q.filter ?? []).join(' '))?.[1] ?? '';
          return { hits: passages.filter((p) => ids.includes(`"${p.docId}"`)) };
        }),
      };
    },
  } as unknown as Meilisearch;

  it('fails a search while it has no model and Meilisearch is unreachable, then loads it', async () => {
    down = true;
    const retriever = createMeiliRetriever(client, 'idx');
    await expect(retriever.search('缓缴社会保险费', { limit: 1 })).rejects.toBeInstanceOf(SearchUnavailableError);
    down = false;
    expect((await retriever.search('缓缴社会保险费', { limit: 1 })).hits[0]?.passage.docId).toBe('spread');
  });

  it('searches within one document (a follow-up) from the passages it holds, without Meilisearch', async () => {
    const retriever = createMeiliRetriever(client, 'idx');
    await retriever.search('缓缴社会保险费', { limit: 1 }); // brings the document's passages in
    down = true; // any Meilisearch call would now fail
    const inDoc = await retriever.search('缓缴社会保险费 需要带什么材料', { limit: 3, filters: { docId: 'spread' } });
    expect(inDoc.hits.map((h) => h.passage.docId)).toEqual(['spread']);
    expect(inDoc.understanding?.wordSearch).toBe(false);
    // Other filters still go to Meilisearch (the panel's type / department / date filters).
    await expect(retriever.search('缓缴社会保险费', { limit: 3, filters: { docId: 'spread', type: ['policy'] } })).rejects.toBeInstanceOf(SearchUnavailableError);
    down = false;
  });

  it('keeps its model and answers from the documents it already holds', async () => {
    let t = 0;
    const retriever = createMeiliRetriever(client, 'idx', { now: () => t, modelTtlMs: 10_000 });
    const before = await retriever.search('缓缴社会保险费', { limit: 1 });
    expect(before.hits[0]?.passage.docId).toBe('spread');
    down = true;
    t = 60_000; // past the model TTL: the hash check fails
    await retriever.search('缓缴社会保险费', { limit: 1 });
    const after = await retriever.search('缓缴社会保险费', { limit: 1 });
    expect(after.hits[0]?.passage.docId).toBe('spread');
    // A question needing Meilisearch (nothing it knows) reports the outage instead of "not found".
    await expect(retriever.search('护照签证', { limit: 1 })).rejects.toBeInstanceOf(SearchUnavailableError);
  });
});
