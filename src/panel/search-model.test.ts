import { describe, expect, it } from 'vitest';
import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { Passage } from '../knowledge/schema.js';
import { bookTitle, highlight, outlineOf, standardAnswer } from './search-model.js';

const marked = (text: string, q: string) => highlight(text, q).filter((s) => s.hit).map((s) => s.text);

describe('highlight', () => {
  it('marks the stretches the passage shares with the query', () => {
    expect(marked('公民可以申请获取政府信息。', '怎么申请政府信息公开')).toEqual(['申请', '政府信息']);
  });
  it('keeps the text intact, in order', () => {
    const text = '行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。';
    expect(highlight(text, '答复期限').map((s) => s.text).join('')).toBe(text);
  });
  it('ignores single shared characters, punctuation and case', () => {
    expect(marked('这是一份通知', '是否')).toEqual([]);
    expect(marked('填写PDF表格', 'pdf')).toEqual(['PDF']);
    expect(marked('abc', '')).toEqual([]);
  });
});

const passage = (over: Partial<Passage>): Passage => ({
  id: 'd--0', docId: 'd', title: '测试文件', type: 'policy', status: '现行有效', departments: [], topics: [],
  headings: [], section: '', text: '正文', order: 0, ...over,
});

describe('outlineOf', () => {
  it('lists each heading once at its first passage, without the title', () => {
    const ps = [
      passage({ order: 0, headings: ['测试文件'] }),
      passage({ order: 1, headings: ['测试文件', '一、总体要求'] }),
      passage({ order: 2, headings: ['测试文件', '一、总体要求'] }),
      passage({ order: 3, headings: ['测试文件', '一、总体要求', '（一）加强领导'] }),
      passage({ order: 4, headings: ['测试文件', '二、重点任务'] }),
    ];
    expect(outlineOf(ps)).toEqual([
      { depth: 1, text: '一、总体要求', order: 1 },
      { depth: 2, text: '（一）加强领导', order: 3 },
      { depth: 1, text: '二、重点任务', order: 4 },
    ]);
  });
});

describe('standardAnswer (12345 标准口径)', () => {
  const directory: DepartmentDirectory = {
    list: [],
    get: (id) => (id === 'office' ? { id, name: '牡丹区人民政府办公室', short: '区政府办公室', responsibilities: 'x', keywords: [] } : undefined),
  };
  it('cites title, number, section, issuer, date and the responsible department', () => {
    const text = standardAnswer(
      passage({ title: '某某办法', docNo: '菏区政办发〔2021〕5号', section: '第二部分（三）', issuer: '区政府办公室', published: '2021-06-11', departments: ['office'] }),
      '应当在20个工作日内答复。',
      directory,
    );
    expect(text).toContain('根据《某某办法》（菏区政办发〔2021〕5号）第二部分（三）：应当在20个工作日内答复。');
    expect(text).toContain('发布机关：区政府办公室；发布日期：2021-06-11；效力状态：现行有效');
    expect(text).toContain('可咨询牡丹区人民政府办公室');
    expect(text.startsWith('您好')).toBe(true);
    expect(text.endsWith('感谢您的来电！')).toBe(true);
  });
  it('falls back to the hotline when no department is known', () => {
    expect(standardAnswer(passage({}), '答复。', directory)).toContain('12345政务服务便民热线');
  });
});

describe('bookTitle', () => {
  it('adds book-title marks once, nesting inner ones as 〈〉', () => {
    expect(bookTitle('2021年政务公开工作要点')).toBe('《2021年政务公开工作要点》');
    expect(bookTitle('《2021年政务公开工作要点》政策解读（问答）')).toBe('《〈2021年政务公开工作要点〉政策解读（问答）》');
    expect(bookTitle('《办事指南》')).toBe('《办事指南》');
  });
});
