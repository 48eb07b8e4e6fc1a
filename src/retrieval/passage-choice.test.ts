import type { Meilisearch } from 'meilisearch';
import { describe, expect, it } from 'vitest';
import { loadStoredModel, modelFromPassages } from './query-model.js';
import { understandQuery } from './query.js';
import { ownText, ownTextScore, SHARED_TERM_WEIGHT, showBestPassages, withSecondPassage, type Scored } from './passage-choice.js';
import { createMeiliRetriever } from './retriever.js';
import { EMPTY_SYNONYMS } from './synonyms.js';
import type { PassageDocument } from './types.js';

// Real document (NCPQA corpus): a notice whose opening paragraph restates the title, and the
// section that answers "对经营困难的企业有何扶持政策".
const title = '绍兴市住房公积金管理中心关于妥善应对新冠肺炎疫情实施住房公积金阶段性支持政策的通知';
const leadText =
  '绍住金〔2020〕4号 各分中心、各处室： 为深入贯彻中央、省、市有关新型冠状病毒感染的肺炎疫情防控工作决策部署，减轻企业负担，保障职工权益，' +
  '根据《住房和城乡建设部财政部 人民银行关于妥善应对新冠肺炎疫情实施住房公积金阶段性支持政策的通知》（建金〔2020〕23号）要求，' +
  '现就绍兴市进一步妥善应对新冠肺炎疫情实施住房公积金阶段性支持政策明确如下：';
const lead = leadText.replace(/\s+/g, '').slice(0, 150);
const passage = (order: number, headings: string[], text: string) => ({ docId: 'sx', title, headings, text, order, ...(order > 0 ? { context: lead } : {}) });
const passages = [
  passage(0, [], leadText),
  passage(1, ['一、切实提高思想认识'], '按照党委、政府的统一部署，落实疫情防控具体举措，严守防控一线。每天按需为上岗人员发放口罩，一线服务人员必须全程配戴口罩。'),
  passage(2, ['三、加强对困难缴存单位的帮助扶持'],
    '1．因受新冠肺炎疫情影响，经营困难的企业可以向中心提出申请，要求在2020年6月30日前缓缴、停缴住房公积金。缓缴企业，个人缴存部分经职工同意，可以由企业代扣暂存，缓缴期满，企业和职工均需足额补缴住房公积金。'),
  passage(3, ['四、加大对受新冠肺炎疫情影响的缴存职工权益的保障力度'], '1．企业缓缴、停缴期间，视同正常缴存，缴存时间连续计算，不影响职工提取和正常申请住房公积金贷款。'),
];
// Other documents, so that IDF is as in a corpus: the title's words are rare, 企业 / 困难 / 扶持 common.
const others = [
  '加大对中小微企业的扶持力度，帮助企业解决生产经营中的实际困难。',
  '对受疫情影响生产经营出现严重困难的企业，可申请缓缴社会保险费。',
  '各地要落实好各项扶持政策，支持企业复工复产。',
  '对承租国有资产类经营用房的中小微企业，免收2月、3月两个月房租。',
  '困难群众基本生活保障工作，各地民政部门要加强统筹。',
  '对生活困难的企业职工，工会给予帮扶救助。',
].map((text, i) => ({ docId: `o${i}`, title: '通知', headings: [], text, order: 0 }));
const model = loadStoredModel(modelFromPassages([...passages, ...others], EMPTY_SYNONYMS));

function scorer(question: string) {
  const u = understandQuery(question, EMPTY_SYNONYMS, model.lexicon, model.idf);
  const weights = new Map([...u.terms].map(([t, w]) => [t, model.idf(t) * w]));
  let original = 0;
  let total = 0;
  for (const [t, w] of weights) {
    total += w;
    if (u.original.has(t)) original += w;
  }
  return (o: ReturnType<typeof ownText>) => ownTextScore(o, weights, u.original, original, total, model.stats.avgLen);
}

describe('ownText', () => {
  it("counts the first passage's own opening as shared with the document, like the lead later passages carry", () => {
    const first = ownText(passages[0]!);
    const later = ownText(passages[2]!);
    expect(first.shared.has('绍兴')).toBe(true); // in the lead, not in the title
    expect([...later.shared].sort()).toEqual([...first.shared].sort());
    expect(later.tf.get('扶持')).toBe(1); // headings are own text
    expect(later.sentences).toBeGreaterThan(1);
    expect(later.sentencesOf.get('扶持')).toBeUndefined(); // only in the heading, not a sentence of the body
  });
});

describe('ownTextScore', () => {
  const score = scorer('绍兴市住房公积金管理中心对经营困难的企业有何扶持政策？');

  it("discounts the title's and lead's words, which the opening paragraph holds most of", () => {
    expect(SHARED_TERM_WEIGHT).toBeLessThan(1);
    const opening = ownText(passages[0]!);
    const answer = ownText(passages[2]!);
    const full = (o: ReturnType<typeof ownText>) => score({ ...o, shared: new Set<string>() });
    expect(full(opening) - score(opening)).toBeGreaterThan(full(answer) - score(answer));
    expect(score(answer)).toBeGreaterThan(score(opening));
  });

  it('prefers a passage holding the question in one sentence over the same words scattered over several', () => {
    const ask = scorer('企业缓缴住房公积金期间职工能否申请贷款');
    const together = ownText({ title: '通知', headings: [], order: 1, context: '', text: '企业缓缴住房公积金期间，职工可以正常申请住房公积金贷款。其他事项另行通知。' });
    // Same term counts, but every term in a sentence of its own.
    const scattered = { ...together, sentencesOf: new Map([...together.tf.keys()].map((t, i) => [t, 1 << i % 30])), sentences: 30 };
    expect(ask(together)).toBeGreaterThan(ask(scattered));
  });
});

describe('ownTextScore and answer cues', () => {
  // The shipped guide (knowledge/guides/apply-for-government-information.md): "申请政府信息公开要多久"
  // — every word of the question is in the title, so the answer cues of 多久 (工作日, 日内, 之日起,
  // 期限) tell the sections apart. Section 六 holds them all in one long sentence, section 五
  // answers in clauses split by "；" (and says 时限 in its heading).
  const guideTitle = '依申请公开政府信息办事指南';
  const five = { docId: 'guide', title: guideTitle, headings: ['五、多长时间答复（办理时限）'], order: 5, context: '本指南依据《中华人民共和国政府信息公开条例》编写',
    text: '行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。不能当场答复的，应当自收到申请之日起20个工作日内予以答复；需要延长答复期限的，应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。' };
  const six = { docId: 'guide', title: guideTitle, headings: ['六、申请内容不明确时的补正'], order: 6, context: five.context,
    text: '政府信息公开申请内容不明确的，行政机关应当给予指导和释明，并自收到申请之日起7个工作日内一次性告知申请人作出补正，说明需要补正的事项和合理的补正期限。答复期限自行政机关收到补正的申请之日起计算。' };
  const guide = loadStoredModel(modelFromPassages([five, six, ...others], EMPTY_SYNONYMS));
  const u = understandQuery('申请政府信息公开要多久？', EMPTY_SYNONYMS, guide.lexicon, guide.idf);
  const weights = new Map([...u.terms].map(([t, w]) => [t, guide.idf(t) * w]));
  const sum = (ts: Iterable<string>) => [...ts].reduce((a, t) => a + (weights.get(t) ?? 0), 0);
  const score = (p: typeof five, asked: ReadonlySet<string>) => ownTextScore(ownText(p), weights, asked, sum(u.original), sum(weights.keys()), guide.stats.avgLen);

  it('measures the best sentence by the words of the question, not by the answer cues', () => {
    expect([...u.terms.keys()]).toContain('工作'); // a cue of 多久
    expect(u.original.has('工作')).toBe(false);
    expect(score(five, u.original)).toBeGreaterThan(score(six, u.original));
    // With the cues counted in the sentence, the long sentence of 六 would win.
    expect(score(six, new Set(weights.keys()))).toBeGreaterThan(score(five, new Set(weights.keys())));
  });
});

describe('the passage a search shows for a document', () => {
  it('is the section that answers, not the opening paragraph restating the title (end to end through search)', async () => {
    const docs = [...passages, ...others].map((p) => ({
      ...p, id: `${p.docId}--${p.order}`, headingsText: p.headings.join(' '), type: 'policy', status: '现行有效', departments: [], topics: [], section: '',
    })) as unknown as PassageDocument[];
    const stored = modelFromPassages(docs, EMPTY_SYNONYMS);
    const client = {
      index: () => ({ getDocument: async (_id: string, o?: { fields?: string[] }) => (o?.fields ? { hash: 'h' } : { hash: 'h', model: stored }) }),
      multiSearch: async (params: { queries: Array<{ filter?: string[] }> }) => ({
        results: params.queries.map((q) => {
          const ids = /docId IN \[(.*)\]/.exec((q.filter ?? []).join(' '))?.[1] ?? '';
          return { hits: docs.filter((p) => ids.includes(`"${p.docId}"`)) };
        }),
      }),
    } as unknown as Meilisearch;
    const res = await createMeiliRetriever(client, 'idx').search('绍兴市住房公积金管理中心对经营困难的企业有何扶持政策？', { limit: 3 });
    expect(res.hits[0]?.passage.docId).toBe('sx');
    expect(res.hits[0]?.passage.headings).toEqual(['三、加强对困难缴存单位的帮助扶持']);
  });
});

describe('withSecondPassage', () => {
  // Real case (NCPQA): "北京市东城区交道口区如何进行封闭式管理？" — the opening paragraph announces the
  // closed management, the next passage says how it works.
  const s = (docId: string, order: number, text: string, score: number, body: number): Scored => ({
    doc: { id: `${docId}--${order}`, docId, title: docId, type: 'policy', headings: [], section: '', headingsText: '', text, order, status: '现行有效', departments: [], topics: [] } as unknown as PassageDocument,
    score,
    coverage: 0.9,
    matched: new Set(),
    body,
  });
  const shown = showBestPassages([
    s('jdk', 0, '交道口地区拟于2月14日起，分区域逐步实行封闭式管理。', 1.27, 0.4),
    s('jdk', 1, '街道统一制作人员出入证，由社区统一下发，出入证不得转借、冒用、复制；无证人员、未登记车辆原则上不得进入社区。', 1.29, 0.19),
    s('jdk', 2, '责任编辑：王芳', 0.5, 0.01),
    s('b', 0, '其他地区的社区防控措施。', 0.9, 0.3),
    s('c', 0, '另一份文件。', 0.8, 0.3),
    s('d', 0, '第四份文件。', 0.7, 0.3),
  ].sort((a, b) => b.score - a.score));
  const one = shown.filter((x, i) => shown.findIndex((y) => y.doc.docId === x.doc.docId) === i);
  const ids = (xs: Scored[]) => xs.map((x) => x.doc.id);

  it("shows the first document's second passage third when it outscores every other document's best passage", () => {
    expect(ids(one)).toEqual(['jdk--0', 'b--0', 'c--0', 'd--0']);
    expect(ids(withSecondPassage(one, shown, true, 4, (x) => x))).toEqual(['jdk--0', 'b--0', 'jdk--1', 'c--0']);
    // It is shown with its document's score (the rank is the document's).
    expect(withSecondPassage(one, shown, true, 4, (x) => x)[2]!.score).toBe(1.29);
    expect(ids(withSecondPassage(one.slice(0, 1), shown, true, 3, (x) => x))).toEqual(['jdk--0', 'jdk--1']);
  });

  it('leaves the hits alone when the search would not answer or the next passage scores below another document', () => {
    expect(ids(withSecondPassage(one, shown, false, 4, (x) => x))).toEqual(ids(one));
    const byline = showBestPassages([s('x', 0, '通知正文。', 2, 1), s('y', 0, '其他。', 1, 0.5), s('x', 1, '责任编辑：王芳', 0.5, 0.01)]);
    const first = byline.filter((x) => x.doc.id !== 'x--1');
    expect(ids(withSecondPassage(first, byline, true, 3, (x) => x))).toEqual(['x--0', 'y--0']);
  });
});
