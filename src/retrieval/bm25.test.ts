import { describe, expect, it } from 'vitest';
import { bm25, computeStats, idf, terms, weightQuery } from './bm25.js';

describe('terms', () => {
  it('makes CJK bigrams, keeps lone CJK characters and Latin/digit words', () => {
    expect(terms('社保缴费 2020年')).toEqual(['社保', '保缴', '缴费', '2020', '年']);
    expect(terms('拨打12345热线，APP办理')).toEqual(['拨打', '12345', '热线', 'app', '办理']);
  });
});

describe('BM25 over bigrams', () => {
  const docs = ['企业可申请缓缴社会保险费', '个体工商户免收三个月房租', '社会保险经办机构做好权益记录', '申请政府信息公开的渠道'];
  const stats = computeStats(docs);
  it('counts document frequency and mean length', () => {
    expect(stats.n).toBe(4);
    expect(stats.df.get('社会')).toBe(2);
    expect(stats.df.get('房租')).toBe(1);
    expect(idf(stats, '房租')).toBeGreaterThan(idf(stats, '社会'));
  });
  it('ranks the passage sharing the rarest terms first', () => {
    const q = weightQuery(stats, terms('缓缴社会保险费'));
    const scores = docs.map((d) => bm25(q, terms(d), stats));
    expect(scores.indexOf(Math.max(...scores))).toBe(0);
    expect(scores[1]).toBe(0);
  });
});
