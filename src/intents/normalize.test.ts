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
  it('reads chat spellings: a final 么 as 吗, 88 as goodbye, 人工智能 as the bot', () => {
    expect(normalizeText('能网上办么？')).toBe('能网上办吗?');
    expect(normalizeText('需要什么')).toBe('需要什么');
    expect(normalizeText('88~')).toBe('再见~');
    expect(normalizeText('886')).toBe('再见');
    expect(normalizeText('880')).toBe('880');
    expect(normalizeText('你是人工智能吗')).toBe('你是机器人吗');
    expect(normalizeText('哈罗，在嘛')).toBe('你好,在吗');
  });
  it('folds emoji variants and long numbers', () => {
    expect(normalizeText('太气人了🤬😠')).toBe('太气人了😡😡');
    expect(normalizeText('工单号20211105001')).toBe(`工单号${NUMBER_TOKEN}`);
  });
  it('squeezes repeated punctuation and spaces', () => {
    expect(normalizeText('  在吗？？？  ')).toBe('在吗?');
  });
});
