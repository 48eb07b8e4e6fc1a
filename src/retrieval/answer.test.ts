import { describe, expect, it } from 'vitest';
import { selectAnswer } from './answer.js';

const w = (...ts: string[]) => new Map(ts.map((t) => [t, 1]));

describe('selectAnswer', () => {
  const text =
    '为支持企业复工复产，现就有关事项通知如下。行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。' +
    '不能当场答复的，应当自收到申请之日起20个工作日内予以答复。本通知自发布之日起施行。';
  it('starts at the sentence sharing most query terms and continues into the answer that follows', () => {
    const a = selectAnswer(text, w('答复', '工作', '作日', '日内'));
    expect(a.startsWith('不能当场答复的')).toBe(true);
  });
  it('extends a short lead-in with the following sentences', () => {
    const a = selectAnswer(text, w('信息', '公开', '申请'));
    expect(a.startsWith('行政机关收到政府信息公开申请')).toBe(true);
    expect(a).toContain('20个工作日内');
  });
  it('returns a one-sentence passage as is', () => {
    expect(selectAnswer('免收三个月房租。', w('房租'))).toBe('免收三个月房租。');
  });
});
