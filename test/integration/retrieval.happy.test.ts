import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { chunkDocument } from '../../src/knowledge/chunk.js';
import type { KnowledgeDoc } from '../../src/knowledge/schema.js';
import { loadSynonyms } from '../../src/node/bootstrap.js';
import { loadKnowledgeDir } from '../../src/node/knowledge-fs.js';
import { addIngestedDocs, ingestedIndexName, loadIngestedDocs, syncPassageIndex } from '../../src/retrieval/indexer.js';
import type { MultiSearchParams } from 'meilisearch';
import { ANSWER_THRESHOLD, createMeiliRetriever } from '../../src/retrieval/retriever.js';
import { KNOWLEDGE_DIR, testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  services = await testServices();
  app = createApp(services);
});
afterAll(async () => {
  await services.meili.deleteIndexIfExists(ingestedIndexName(services.config.INDEX_NAME)).catch(() => undefined);
  await services.cleanup();
});

const chat = async (message: string) => {
  const res = await app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { reply: { text: string; citations: Array<{ id: string; title: string; section?: string }>; confidence: number } };
};

describe('retrieval through the chat (shipped knowledge base, real Meilisearch)', () => {
  it('answers a colloquial question: 信息公开申请要带啥材料', async () => {
    const body = await chat('信息公开申请要带啥材料');
    expect(body.reply.citations[0]).toMatchObject({ id: 'guide-apply-government-information', section: '第三部分' });
    expect(body.reply.text).toContain('身份证明');
  });

  it('answers a traditional-character question: 申請政府資訊公開要多久？', async () => {
    const body = await chat('申請政府資訊公開要多久？');
    expect(body.reply.citations[0]?.id).toBe('guide-apply-government-information');
    expect(body.reply.text).toContain('20个工作日');
  });

  it('answers a question with a pinyin typo: 怎么申清政府信息工开', async () => {
    const res = await services.retriever.search('怎么申清政府信息工开', { limit: 3 });
    expect(res.normalized).toBe('申请政府信息公开');
    expect(res.understanding?.corrections).toEqual([['清', '请'], ['工', '公']]);
    const body = await chat('怎么申清政府信息工开');
    expect(body.reply.citations[0]?.title).toContain('公开');
    expect(body.reply.confidence).toBeGreaterThanOrEqual(ANSWER_THRESHOLD);
  });

  it('is not confident about questions the knowledge base does not cover', async () => {
    for (const q of ['今天天气怎么样', '护照怎么办理']) {
      const res = await services.retriever.search(q, { limit: 3 });
      expect(res.confidence).toBeLessThan(ANSWER_THRESHOLD);
    }
  });

  it('keeps filters working and returns highlights', async () => {
    const res = await services.retriever.search('政府信息公开', { limit: 5, filters: { type: ['guide'] } });
    expect(res.hits.length).toBeGreaterThan(0);
    expect(res.hits.every((h) => h.passage.type === 'guide')).toBe(true);
    expect(res.hits[0]!.matched).toContain('政府信息公开');
    const none = await services.retriever.search('政府信息公开', { filters: { docId: 'no"such OR type = "guide' } });
    expect(none.hits).toEqual([]);
  });
});

describe('document candidates and Meilisearch word search', () => {
  function countingRetriever() {
    const sent: Array<Array<{ q?: string | null; filter?: unknown }>> = [];
    const counting = new Proxy(services.meili, {
      get(target, prop, receiver) {
        if (prop === 'multiSearch') {
          return (params: MultiSearchParams) => {
            sent.push(params.queries);
            return target.multiSearch(params);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    return { sent, retriever: createMeiliRetriever(counting, services.config.INDEX_NAME) };
  }
  const isDocQuery = (q: { q?: string | null; filter?: unknown }) => q.q === '' && JSON.stringify(q.filter).includes('docId IN');

  it('fetch the best documents\' passages once, then answer from the copy without asking Meilisearch', async () => {
    const { sent, retriever } = countingRetriever();
    const first = await retriever.search('申请政府信息公开需要提交哪些材料', { limit: 3 });
    expect(first.hits[0]?.passage.docId).toBe('guide-apply-government-information');
    expect(first.understanding?.wordSearch).toBe(false);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.every(isDocQuery)).toBe(true);
    const second = await retriever.search('申请政府信息公开需要提交哪些材料', { limit: 3 });
    expect(sent).toHaveLength(1); // nothing new to fetch
    expect(second.hits.map((h) => h.passage.id)).toEqual(first.hits.map((h) => h.passage.id));
  });

  it('run the word search too when the best document holds little of the question', async () => {
    const { sent, retriever } = countingRetriever();
    // Words the knowledge base has never seen: the document statistics cannot rank this.
    const res = await retriever.search('护照签证加急怎么办', { limit: 3 });
    expect(res.understanding?.wordSearch).toBe(true);
    expect(sent[0]!.some((q) => !isDocQuery(q) && q.q)).toBe(true);
  });

  it('with filters, always search Meilisearch with the filter, never from the copy', async () => {
    const { sent, retriever } = countingRetriever();
    await retriever.search('申请政府信息公开需要提交哪些材料', { limit: 3 });
    const res = await retriever.search('申请政府信息公开需要提交哪些材料', { limit: 3, filters: { type: ['guide'] } });
    expect(res.understanding?.wordSearch).toBe(true);
    expect(res.hits.every((h) => h.passage.type === 'guide')).toBe(true);
    const filtered = sent[1]!;
    expect(filtered.every((q) => JSON.stringify(q.filter).includes('type = \\"guide\\"'))).toBe(true);
    expect(filtered.some(isDocQuery)).toBe(true);
  });
});

describe('ingested documents live beside knowledge/', () => {
  const doc: KnowledgeDoc = {
    id: 'ingested-rent-relief', title: '关于减免小微企业房屋租金的通知（测试）', type: 'policy', issuer: '测试单位', published: '2021-03-01',
    status: '现行有效', departments: ['finance'], topics: [], body: '一、对承租国有房屋的个体工商户，免收三个月租金。', source: 'test.jsonl:1',
  };

  it('are searchable after ingest and survive the start-up sync', async () => {
    const { meili, config } = services;
    await addIngestedDocs(meili, config.INDEX_NAME, [doc]);
    const knowledge = loadKnowledgeDir(KNOWLEDGE_DIR).docs.flatMap(chunkDocument);
    const first = await syncPassageIndex(meili, config.INDEX_NAME, knowledge, loadSynonyms(KNOWLEDGE_DIR));
    expect(first).toMatchObject({ indexed: true, ingestedPassages: 1 });
    // What the service does on its next start: knowledge/ only, and the ingested document stays.
    const restart = await syncPassageIndex(meili, config.INDEX_NAME, knowledge, loadSynonyms(KNOWLEDGE_DIR));
    expect(restart).toMatchObject({ indexed: false, passages: first.passages });
    expect((await loadIngestedDocs(meili, config.INDEX_NAME)).map((d) => d.id)).toEqual(['ingested-rent-relief']);
    const res = await services.retriever.search('交不起房租了怎么办', { limit: 3 });
    expect(res.hits[0]?.passage.docId).toBe('ingested-rent-relief');
  });

  it('show a notice reposted word for word by two sites once, citing one and naming the other', async () => {
    const { meili, config } = services;
    const body = '二、受疫情影响生产经营出现严重困难的企业，可申请缓缴供暖费，缓缴期限原则上不超过6个月，缓缴期间免收滞纳金。';
    const repost = (id: string, title: string, issuer: string): KnowledgeDoc => ({
      id, title, type: 'policy', issuer, published: '2021-03-02', status: '现行有效', departments: [], topics: [], body, source: `${id}.jsonl:1`,
    });
    await addIngestedDocs(meili, config.INDEX_NAME, [repost('heating-relief-a', '关于缓缴供暖费的通知（测试）', '测试单位甲'), repost('heating-relief-b', '转发：关于缓缴供暖费的通知（测试）', '测试单位乙')]);
    const knowledge = loadKnowledgeDir(KNOWLEDGE_DIR).docs.flatMap(chunkDocument);
    await syncPassageIndex(meili, config.INDEX_NAME, knowledge, loadSynonyms(KNOWLEDGE_DIR));
    const res = await services.retriever.search('供暖费能晚点交吗', { limit: 5 });
    const top = res.hits[0]!;
    expect(['heating-relief-a', 'heating-relief-b']).toContain(top.passage.docId);
    expect(top.alsoIn?.map((d) => d.docId)).toEqual([top.passage.docId === 'heating-relief-a' ? 'heating-relief-b' : 'heating-relief-a']);
    expect(res.hits.filter((h) => h.passage.docId.startsWith('heating-relief'))).toHaveLength(1);
    // Not two near-equal options to choose from: the answer is confident.
    expect(res.confidence).toBeGreaterThanOrEqual(ANSWER_THRESHOLD);
  });

  it('name a copy in a document the question did not bring in (found when the index was built)', async () => {
    const { meili, config } = services;
    const body = '三、对受疫情影响暂时失去收入来源的个体工商户，可申请临时生活补助，每户一次性发放2000元，由街道审核后发放。';
    const notice: KnowledgeDoc = {
      id: 'stall-aid-notice', title: '关于个体工商户临时生活补助的通知（测试）', type: 'policy', issuer: '测试单位丙', published: '2021-03-03',
      status: '现行有效', departments: [], topics: [], body, source: 'stall-aid.jsonl:1',
    };
    // A weekly digest that reprints the passage among long, unrelated news: its whole-document
    // score for the question is far below the notice's.
    const other = '本周全区还开展了植树造林、道路养护、图书馆开放时间调整、文明城市创建、校园安全检查等工作，各项工作进展顺利。';
    const digest: KnowledgeDoc = {
      id: 'weekly-digest', title: '一周政务动态汇编（测试）', type: 'policy', issuer: '测试单位丁', published: '2021-03-04',
      status: '现行有效', departments: [], topics: [], body: `${other.repeat(12)}\n\n${body}\n\n${other.repeat(12)}`, source: 'digest.jsonl:1',
    };
    await addIngestedDocs(meili, config.INDEX_NAME, [notice, digest]);
    const knowledge = loadKnowledgeDir(KNOWLEDGE_DIR).docs.flatMap(chunkDocument);
    await syncPassageIndex(meili, config.INDEX_NAME, knowledge, loadSynonyms(KNOWLEDGE_DIR));
    // Only the best document's passages are candidates (one document, one hit asked for): the
    // digest's copy never is one.
    const oneDoc = createMeiliRetriever(meili, config.INDEX_NAME, { docCandidates: 1 });
    const res = await oneDoc.search('个体户没收入了有临时生活补助吗', { limit: 1 });
    expect(res.understanding?.wordSearch).toBe(false);
    const top = res.hits[0]!;
    expect(top.passage.docId).toBe('stall-aid-notice');
    expect(top.alsoIn).toEqual([{ docId: 'weekly-digest', title: '一周政务动态汇编（测试）', issuer: '测试单位丁', published: '2021-03-04' }]);
    expect(top.passage).not.toHaveProperty('reposts');
  });
});
