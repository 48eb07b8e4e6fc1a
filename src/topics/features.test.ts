import { describe, expect, it } from 'vitest';
import { fnv1a, LSH_BANDS, lshBands, minhash, normalize, runsOf, stableId, textFeatures, vectorize } from './features.js';

function jaccard(a: string, b: string): number {
  const sh = (s: string) => new Set(Array.from({ length: Math.max(0, s.length - 2) }, (_, i) => s.slice(i, i + 3)));
  const A = sh(a);
  const B = sh(b);
  const inter = [...A].filter((x) => B.has(x)).length;
  return inter / (A.size + B.size - inter);
}

describe('text features', () => {
  it('normalises full-width characters and drops mask placeholders', () => {
    expect(normalize('ＡＢＣ１２３ 电话[手机号]')).toBe('abc123 电话 ');
  });

  it('splits runs into Han characters and whole alphanumeric tokens', () => {
    expect(runsOf('A市58车贷案，K9县')).toEqual([['a', '市', '58', '车', '贷', '案'], ['k9', '县']]);
  });

  it('counts title bigrams double and skips generic bigrams', () => {
    const f = textFeatures('开发商捆绑销售车位，请问合法吗', '捆绑销售车位');
    expect(f.counts.get('捆绑')).toBe(3);
    expect(f.counts.get('发商')).toBe(1);
    expect(f.counts.has('请问')).toBe(false);
  });

  it('builds unit vectors of the strongest terms', () => {
    const v = vectorize(new Map([['公积', 2], ['积金', 2], ['提取', 1]]), () => 1, 2);
    expect(v).toHaveLength(2);
    expect(Math.hypot(...v.map(([, w]) => w))).toBeCloseTo(1, 6);
  });
});

describe('MinHash / LSH', () => {
  const a = '丽发新城小区旁边建搅拌站噪音扰民灰尘满天飞严重影响居民休息和孩子上学';
  const b = '丽发新城小区旁边建搅拌站噪音扰民灰尘满天飞严重影响居民休息';
  const c = '咨询住房公积金贷款额度怎么计算需要哪些材料去哪里办理';

  it('estimates Jaccard similarity of trigram sets', () => {
    const agree = (x: string, y: string) => {
      const [sx, sy] = [minhash(x), minhash(y)];
      return sx.filter((v, i) => v === sy[i]).length / sx.length;
    };
    expect(Math.abs(agree(a, b) - jaccard(a, b))).toBeLessThan(0.2);
    expect(agree(a, c)).toBeLessThan(0.1);
    expect(agree(a, a)).toBe(1);
  });

  it('puts near-duplicates into shared bands and unrelated texts into none', () => {
    const shared = (x: string, y: string) => {
      const bx = lshBands(minhash(x));
      const by = new Set(lshBands(minhash(y)));
      return bx.filter((k) => by.has(k)).length;
    };
    expect(lshBands(minhash(a))).toHaveLength(LSH_BANDS);
    expect(shared(a, a)).toBe(LSH_BANDS);
    expect(shared(a, b)).toBeGreaterThanOrEqual(3);
    expect(shared(a, c)).toBe(0);
  });

  it('does not take short questions that only share a phrase for near-duplicates', () => {
    const bx = lshBands(minhash('怎么申请政府信息公开'));
    const by = new Set(lshBands(minhash('残疾人两项补贴怎么申请')));
    expect(bx.filter((k) => by.has(k)).length).toBeLessThan(3);
  });

  it('derives stable ids', () => {
    expect(stableId('s#1')).toBe(stableId('s#1'));
    expect(stableId('s#1')).not.toBe(stableId('s#2'));
    expect(stableId('x')).toMatch(/^[0-9a-f]{16}$/);
    expect(fnv1a('')).toBe(0x811c9dc5);
  });
});
