import { describe, expect, it } from 'vitest';
import type { Passage } from '../knowledge/schema.js';
import type { Services } from '../services.js';
import { Results } from './search.js';
import type { ResultView } from './search-model.js';

const passage: Passage = {
  id: 'rent#1', docId: 'rent', title: '关于减免小微企业房屋租金的通知', type: 'policy', headings: [], section: '一、',
  text: '对承租国有房屋的个体工商户，免收三个月租金。', status: '现行有效', departments: [], topics: [], order: 1,
};
const services = { directory: { get: () => undefined } } as unknown as Services;
const view = (alsoIn?: ResultView['hit']['alsoIn']): ResultView => ({
  hit: { passage, score: 1, answer: passage.text, ...(alsoIn ? { alsoIn } : {}) },
  answer: [{ text: passage.text, hit: false }],
  passage: [{ text: passage.text, hit: false }],
  copyText: passage.text,
  interpretations: [],
});
const render = async (v: ResultView) =>
  String(await Results({ views: [v], p: { q: '房租' } as never, tookMs: 3, services }).toString());

describe('panel search results', () => {
  it('link the reposts of a passage shown once', async () => {
    const html = await render(view([{ docId: 'rent/copy 2', title: '转发：关于减免小微企业房屋租金的通知' }]));
    expect(html).toContain('同文另见');
    expect(html).toContain('href="/panel/doc/rent%2Fcopy%202"');
    expect(html).toContain('《转发：关于减免小微企业房屋租金的通知》');
  });
  it('say nothing about reposts when there are none', async () => {
    expect(await render(view())).not.toContain('同文另见');
  });
});
