import { describe, expect, it } from 'vitest';
import { compileNbsvm, dequantizeRows, predictNbsvm, quantizeRows, trainNbsvm, type GramCounts, type NbsvmExample } from './nbsvm.js';

/** Character bigrams with counts (punctuation dropped): enough for these short messages. */
function bigrams(text: string): GramCounts {
  const chars = [...text].filter((c) => !/[\s\p{P}]/u.test(c));
  const counts: GramCounts = new Map();
  for (let i = 0; i + 1 < chars.length; i++) counts.set(chars[i]! + chars[i + 1]!, (counts.get(chars[i]! + chars[i + 1]!) ?? 0) + 1);
  return counts;
}

// Messages of the kind citizens leave on the hotline, three departments.
const training: Array<[string, string]> = [
  ['公司拖欠我们工资三个月了，老板一直推脱', 'hrss'],
  ['工地包工头拖欠农民工工资，过年回不了家', 'hrss'],
  ['单位不给交社保，离职后才发现断缴了一年', 'hrss'],
  ['辞职后公司不给开离职证明，也不结清工资', 'hrss'],
  ['养老保险断缴了能不能补缴，去哪里办', 'hrss'],
  ['开发商逾期交房一年多，违约金也不赔', 'housing'],
  ['小区物业不作为，楼道垃圾没人清理', 'housing'],
  ['买的商品房迟迟办不了房产证，开发商说等通知', 'housing'],
  ['老旧小区改造把路挖开了半年没人管', 'housing'],
  ['开发商交房时面积缩水，要求退差价', 'housing'],
  ['超市卖过期食品，找店家不给退', 'market'],
  ['饭店后厨卫生太差，吃完拉肚子', 'market'],
  ['药店的药价格翻了好几倍，是不是哄抬物价', 'market'],
  ['网上买的东西是假货，商家拒绝退款', 'market'],
  ['加油站缺斤短两，加的油和显示的对不上', 'market'],
];
const examples: NbsvmExample[] = training.map(([text, label]) => ({ counts: bigrams(text), label }));
const opts = { alpha: 0.1, l2: 1e-3, epochs: 20, minCount: 1 };

describe('NBSVM one-vs-rest classifier', () => {
  const model = trainNbsvm(examples, opts);
  const compiled = compileNbsvm(model);
  const best = (text: string) => [...predictNbsvm(compiled, bigrams(text))].sort((a, b) => b[1] - a[1])[0]![0];

  it.each([
    ['老板拖欠工资不给，怎么办', 'hrss'],
    ['开发商到现在还不交房', 'housing'],
    ['这家超市卖的牛奶过期了', 'market'],
  ])('%s -> %s', (text, label) => {
    expect(best(text)).toBe(label);
  });

  it('gives a probability to every class, summing to 1', () => {
    const p = predictNbsvm(compiled, bigrams('物业乱收费'));
    expect([...p.keys()]).toEqual(['housing', 'hrss', 'market']);
    expect([...p.values()].reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
    // A message with no known gram gets the biases alone, still a distribution.
    expect([...predictNbsvm(compiled, bigrams('你好')).values()].reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
  });

  it('scales a gram up for the class it marks and down for the others (NB log-count ratio)', () => {
    const f = model.features.indexOf('工资');
    const { scale } = compiled;
    const at = (label: string) => scale[model.labels.indexOf(label) * model.features.length + f]!;
    expect(at('hrss')).toBeGreaterThan(0);
    expect(at('housing')).toBeLessThan(0);
    expect(at('market')).toBeLessThan(0);
  });

  it('is deterministic and predicts the same after a JSON round trip', () => {
    expect(JSON.stringify(trainNbsvm(examples, opts))).toBe(JSON.stringify(model));
    const reloaded = compileNbsvm(JSON.parse(JSON.stringify(model)));
    for (const text of ['公司不交社保', '楼上漏水物业不管', '买到假烟']) expect(predictNbsvm(reloaded, bigrams(text))).toEqual(predictNbsvm(compiled, bigrams(text)));
  });

  it('drops grams seen in fewer than minCount examples', () => {
    const pruned = trainNbsvm(examples, { ...opts, minCount: 2 });
    expect(pruned.features).toContain('工资');
    expect(pruned.features).not.toContain('哄抬');
  });

  it('stores its matrices as 16-bit rows that read back within one step', () => {
    const a = Float32Array.from([0.5, -1.25, 3, 0, 0, 0, 2e-4, -7, 1]);
    const q = quantizeRows(a, 3);
    expect(q.step).toHaveLength(3);
    expect(q.step[1]).toBe(1); // an all-zero row
    const back = dequantizeRows(q);
    a.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(q.step[Math.floor(i / 3)]! / 2 + 1e-9));
  });

  it('rejects a model whose arrays do not match its features', () => {
    expect(() => compileNbsvm({ ...model, features: model.features.slice(1) })).toThrow(/do not match/);
    expect(() => trainNbsvm([])).toThrow(/no training examples/);
  });
});
