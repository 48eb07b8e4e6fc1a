import { describe, expect, it } from 'vitest';
import { loadStoredModel, modelFromPassages } from './query-model.js';
import { EMPTY_SYNONYMS } from './synonyms.js';

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

  it('loads an old model without document statistics', () => {
    const { docs: _d, ...old } = stored;
    expect(loadStoredModel(old).docs).toBeUndefined();
  });
});
