import { describe, expect, it } from 'vitest';
import { markReposts, REPOST_MIN_CHARS, REPOSTS_MAX, repostText } from './reposts.js';
import type { PassageDocument } from './types.js';

const doc = (id: string, docId: string, text: string, extra: Partial<PassageDocument> = {}): PassageDocument =>
  ({ id, docId, title: `《${docId}》`, type: 'policy', headings: [], headingsText: '', text, status: '现行有效', departments: [], topics: [], ...extra }) as PassageDocument;

// Real variant from the NCPQA corpus: one site printed 落後 and half-width punctuation.
const original = '坚持不裁员或裁员率不高于上年度全国城镇调查失业率的参保企业（不含淘汰落后产能企业），可返还其上年度实际缴纳失业保险费的50%。';
const repost = '坚持不裁员或裁员率不高于上年度全国城镇调查失业率的参保企业(不含淘汰落後产能企业), 可返还其上年度实际缴纳失业保险费的50%.';

describe('repostText', () => {
  it('compares copies without spacing, punctuation width and traditional characters', () => {
    expect(repostText(original)).toBe(repostText(repost));
    expect(repostText(original)).not.toBe(repostText(original.replace('50%', '70%')));
  });
});

describe('markReposts', () => {
  it('names on each copy the other documents holding the passage, with what a citation needs', () => {
    const [a, b, c, a2] = markReposts([
      doc('a#0', 'a', original, { docNo: '人社部发〔2020〕11号', issuer: '人力资源社会保障部', published: '2020-02-20' }),
      doc('b#3', 'b', repost),
      doc('c#0', 'c', '其他内容其他内容其他内容其他内容其他内容其他内容其他内容其他内容其他内容其他内容'),
      doc('a#5', 'a', original), // the same document twice is not a repost of itself
    ]);
    expect(a!.reposts).toEqual([{ docId: 'b', title: '《b》' }]);
    expect(b!.reposts).toEqual([{ docId: 'a', title: '《a》', docNo: '人社部发〔2020〕11号', issuer: '人力资源社会保障部', published: '2020-02-20' }]);
    expect(c!.reposts).toBeUndefined();
    expect(a2!.reposts).toEqual([{ docId: 'b', title: '《b》' }]);
  });

  it('leaves short identical passages (salutations, headings) alone and caps the list', () => {
    const hi = '各省、自治区、直辖市人民政府：';
    expect(repostText(hi).length).toBeLessThan(REPOST_MIN_CHARS);
    expect(markReposts([doc('a#0', 'a', hi), doc('b#0', 'b', hi)]).every((d) => d.reposts === undefined)).toBe(true);
    const many = Array.from({ length: REPOSTS_MAX + 5 }, (_, i) => doc(`d${i}#0`, `d${i}`, original));
    expect(markReposts(many)[0]!.reposts).toHaveLength(REPOSTS_MAX);
  });
});
