import { describe, expect, it } from 'vitest';
import { selectAnswer } from './answer.js';

const w = (...ts: string[]) => new Map(ts.map((t) => [t, 1]));

describe('selectAnswer', () => {
  const filler = '各地区各部门要加强组织领导，压实工作责任，细化配套措施，确保各项政策落地见效，切实做好宣传解读，及时回应社会关切。';
  const text =
    '为支持企业复工复产，现就有关事项通知如下。' + filler.repeat(3) + '行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。' +
    '不能当场答复的，应当自收到申请之日起20个工作日内予以答复。' + filler.repeat(6) + '本通知自发布之日起施行。';
  it('starts at the sentence sharing most query terms and continues into the answer that follows', () => {
    const a = selectAnswer(text, w('答复', '工作', '作日', '日内'));
    expect(a.startsWith('不能当场答复的')).toBe(true);
  });
  it('extends a short lead-in with the following sentences', () => {
    const a = selectAnswer(text, w('信息', '公开', '申请'));
    expect(a.startsWith('行政机关收到政府信息公开申请')).toBe(true);
    expect(a).toContain('20个工作日内');
  });
  it('keeps the answer within 400 characters of a long passage', () => {
    expect(text.length).toBeGreaterThan(400);
    expect(selectAnswer(text, w('答复')).length).toBeLessThanOrEqual(400);
  });
  it('returns a short passage whole, as the chat shows it', () => {
    const short = '行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。不能当场答复的，应当自收到申请之日起20个工作日内予以答复。';
    expect(selectAnswer(short, w('工作'))).toBe(short);
  });
  it('returns a one-sentence passage as is', () => {
    expect(selectAnswer('免收三个月房租。', w('房租'))).toBe('免收三个月房租。');
  });
});
