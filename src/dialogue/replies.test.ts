import { describe, expect, it } from 'vitest';
import type { Passage } from '../knowledge/schema.js';
import type { RetrievalHit } from '../retrieval/types.js';
import { answerText } from './replies.js';

const passage: Passage = {
  id: 'rent#1', docId: 'rent', title: '关于减免小微企业房屋租金的通知', type: 'policy', docNo: '菏政办发〔2020〕3号', headings: ['一、'],
  section: '一、', text: '对承租国有房屋的个体工商户，免收三个月租金。', status: '现行有效', departments: [], topics: [], order: 1,
};

describe('answerText', () => {
  it('cites the source before the answer', () => {
    const hit: RetrievalHit = { passage, score: 1, answer: passage.text };
    expect(answerText(hit)).toBe('根据《关于减免小微企业房屋租金的通知》（菏政办发〔2020〕3号）一、：\n对承租国有房屋的个体工商户，免收三个月租金。');
  });
  it('names a repost of the same text instead of repeating it', () => {
    const one: RetrievalHit = { passage, score: 1, answer: passage.text, alsoIn: [{ docId: 'rent-2', title: '转发：关于减免小微企业房屋租金的通知' }] };
    expect(answerText(one)).toMatch(/\n（同一内容另见《转发：关于减免小微企业房屋租金的通知》）$/);
    const two: RetrievalHit = { ...one, alsoIn: [...one.alsoIn!, { docId: 'rent-3', title: '另一转发', docNo: 'X〔2020〕1号' }] };
    expect(answerText(two)).toMatch(/（同一内容另见《转发：关于减免小微企业房屋租金的通知》等2份文件）$/);
  });
});
