import { describe, expect, it } from 'vitest';
import { NUMBER_TOKEN, normalizeText } from './normalize.js';

describe('normalizeText', () => {
  it('maps traditional to simplified, full-width to half-width, and lower-cases', () => {
    expect(normalizeText('辦理結婚登記ＡＢＣ？')).toBe('办理结婚登记abc?');
  });
  it('maps dialect words to standard ones', () => {
    expect(normalizeText('俺想问问咋办证，中不')).toBe('我想问问怎么办证,行不行');
    expect(normalizeText('啥时候发')).toBe('什么时候发');
    expect(normalizeText('孩子能上学不？')).toBe('孩子能上学吗?');
    expect(normalizeText('我不去')).toBe('我不去');
  });
  it('folds emoji variants and long numbers', () => {
    expect(normalizeText('太气人了🤬😠')).toBe('太气人了😡😡');
    expect(normalizeText('工单号20211105001')).toBe(`工单号${NUMBER_TOKEN}`);
  });
  it('squeezes repeated punctuation and spaces', () => {
    expect(normalizeText('  在吗？？？  ')).toBe('在吗?');
  });
});
