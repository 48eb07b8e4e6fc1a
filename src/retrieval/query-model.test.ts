import { describe, expect, it } from 'vitest';
import { loadStoredModel, modelFromPassages, vocabularyBigrams } from './query-model.js';
import { EMPTY_SYNONYMS, parseSynonyms } from './synonyms.js';

const passage = (docId: string, title: string, text: string) => ({ docId, title, headings: [], text, context: '' });

describe('stored query model', () => {
  const stored = modelFromPassages(
    [
      passage('a', '社会保险费缓缴', '企业可申请缓缴社会保险费。'),
      passage('a', '社会保险费缓缴', '缓缴期间免收滞纳金。'),
      passage('b', '租金减免', '小微企业承租国有房屋的减免租金。'),
    ],
    EMPTY_SYNONYMS,
  );
  const model = loadStoredModel(JSON.parse(JSON.stringify(stored)));

  it('keeps passage statistics', () => {
    expect(model.stats.n).toBe(3);
    expect(model.stats.df.get('缓缴')).toBe(2);
  });

  it('counts terms over whole documents: title once plus every passage body', () => {
    const a = model.docs!.counts('a')!;
    expect(model.docs!.stats.n).toBe(2);
    expect(a.tf.get('缓缴')).toBe(3);
    expect(a.tf.get('滞纳')).toBe(1);
    expect(model.docs!.stats.df.get('缓缴')).toBe(1);
    expect(model.docs!.counts('b')!.tf.get('租金')).toBe(2);
    expect(model.docs!.counts('missing')).toBeUndefined();
  });

  it('scores every document from its postings, best first, and answers term membership', () => {
    const docs = model.docs!;
    const w: Array<[string, number]> = [['缓缴', 1], ['租金', 1]];
    const top = docs.top(w, 5);
    expect(top.map(([id]) => id).sort()).toEqual(['a', 'b']);
    const scores = docs.scores(w, ['a', 'b', 'missing']);
    expect(scores.get('a')).toBeCloseTo(top.find(([id]) => id === 'a')![1], 9);
    expect(scores.has('missing')).toBe(false);
    expect(docs.scores([['滞纳', 1]], ['b']).get('b')).toBe(0);
    expect(docs.top(w, 1)).toHaveLength(1);
    expect(docs.has('a', '滞纳')).toBe(true);
    expect(docs.has('b', '滞纳')).toBe(false);
    expect(docs.has('b', '租金')).toBe(true);
    expect(docs.has('missing', '租金')).toBe(false);
    expect(docs.has('a', '不存在')).toBe(false);
  });

  it('loads an old model without document statistics', () => {
    const { docs: _d, ...old } = stored;
    expect(loadStoredModel(old).docs).toBeUndefined();
  });
});

describe('vocabularyBigrams', () => {
  it('keeps the word bigrams of official terms and two-character colloquial words, not bigrams spanning words or spoken phrases', () => {
    const set = parseSynonyms(
      ['- official: [办理时限]', '  colloquial: [多久能办]', '- official: [农民工]', '  colloquial: [社保]', '- official: [春节]', '  colloquial: [大年三十]'].join('\n'),
      'synonyms.yaml',
    );
    const b = vocabularyBigrams(set);
    for (const w of ['办理', '时限', '农民', '民工', '社保', '春节']) expect(b.has(w)).toBe(true);
    // 理时 spans 办理|时限; 能办 and 大年 come from spoken phrases (they made 能帮着 → 能办着, 大连 → 大年).
    for (const w of ['理时', '能办', '多久', '大年', '三十']) expect(b.has(w)).toBe(false);
  });
});
