import { describe, expect, it } from 'vitest';
import { compileModel, deserializeModel, predict, serializeModel, trainSoftmax, trainSoftmaxAveraged, type FeatureMap } from './linear-model.js';

const fm = (...keys: string[]): FeatureMap => new Map(keys.map((k) => [k, 1]));
const data = [
  { features: fm('a', 'x'), label: 'A' },
  { features: fm('a', 'y'), label: 'A' },
  { features: fm('b', 'x'), label: 'B' },
  { features: fm('b', 'y'), label: 'B' },
  { features: fm('c'), label: 'C' },
];

describe('softmax regression', () => {
  it('learns a separable problem', () => {
    const m = compileModel(trainSoftmax(data, { epochs: 30 }));
    expect(predict(m, fm('a')).ranked[0]!.label).toBe('A');
    expect(predict(m, fm('b', 'x')).ranked[0]!.label).toBe('B');
    expect(predict(m, fm('c')).ranked[0]!.label).toBe('C');
    const total = predict(m, fm('zzz')).ranked.reduce((s, r) => s + r.p, 0);
    expect(total).toBeCloseTo(1, 6);
  });

  it('averages seeded runs into one model', () => {
    const opts = { epochs: 5, seed: 3 };
    expect(trainSoftmaxAveraged(data, opts, 1)).toEqual(trainSoftmax(data, opts));
    const runs = [3, 4, 5].map((seed) => trainSoftmax(data, { ...opts, seed }));
    const avg = trainSoftmaxAveraged(data, opts, 3);
    expect(runs[0]!.weights).not.toEqual(runs[1]!.weights);
    avg.weights.forEach((w, i) => expect(w).toBeCloseTo(runs.reduce((t, r) => t + r.weights[i]!, 0) / 3, 5));
    avg.bias.forEach((b, k) => expect(b).toBeCloseTo(runs.reduce((t, r) => t + r.bias[k]!, 0) / 3, 5));
    expect(predict(compileModel(avg), fm('b')).ranked[0]!.label).toBe('B');
  });

  it('survives serialisation exactly', () => {
    const model = trainSoftmax(data, { epochs: 10 });
    const back = deserializeModel(JSON.parse(JSON.stringify(serializeModel(model))));
    expect(back.features).toEqual(model.features);
    expect([...back.weights]).toEqual([...model.weights]);
    expect(predict(compileModel(back), fm('a', 'y'))).toEqual(predict(compileModel(model), fm('a', 'y')));
  });

  it('rejects a model whose weights do not fit', () => {
    const s = serializeModel(trainSoftmax(data, { epochs: 1 }));
    expect(() => deserializeModel({ ...s, features: s.features.slice(1) })).toThrow(/do not match/);
  });
});
