import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIntentFiles } from '../node/intents-fs.js';
import { createIntentClassifier, fillTemplate, type IntentClassifier } from './classifier.js';
import { parseIntentFiles } from './schema.js';

const files = readIntentFiles(join(import.meta.dirname, '..', '..', 'intents'));
let classifier: IntentClassifier;
beforeAll(() => {
  classifier = createIntentClassifier(parseIntentFiles(files));
});

describe('intent classifier (trained on intents/)', () => {
  it.each([
    ['为什么办个证要跑三趟？', 'complain'],
    ['上个月投诉的那个处理了没', 'case_status'],
    ['想举报隔壁饭店用地沟油，该怎么举报', 'consult'],
    ['我要举报隔壁饭店用地沟油', 'report'],
    ['申请信息公开要准备什么材料', 'consult'],
    ['工地老板欠俺半年工钱不给，求你们帮帮忙', 'help'],
    ['建议在学校门口多安排几个协管员', 'suggest'],
    ['给我转人工', 'human'],
    ['您好', 'greet'],
    ['谢谢你们👍', 'thanks'],
    ['没事了，拜拜', 'bye'],
    ['给我讲个笑话吧', 'other'],
  ])('%s -> %s', (text, intent) => {
    expect(classifier.classify(text).intent).toBe(intent);
  });

  it('copes with dialect, traditional characters and emoji', () => {
    expect(classifier.classify('俺家停水三天了咋整啊😭').intent).toBe('help');
    expect(classifier.classify('辦居住證需要什麼材料').intent).toBe('consult');
    expect(classifier.classify('窗口態度太差了😡').intent).toBe('complain');
  });

  it('returns a probability for every intent, the best as confidence', () => {
    const r = classifier.classify('怎么办理低保');
    const total = Object.values(r.scores).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 5);
    expect(r.confidence).toBe(Math.max(...Object.values(r.scores)));
    expect(Object.keys(r.scores).sort()).toEqual([...classifier.intents].sort());
  });

  it('is deterministic: training twice gives identical scores', () => {
    const again = createIntentClassifier(parseIntentFiles(files));
    for (const t of ['路灯坏了', '你们这效率太低了吧', '进度怎么样']) expect(again.classify(t)).toEqual(classifier.classify(t));
  });

  it('classifies in well under a millisecond', () => {
    const texts = ['怎么申请政府信息公开？', '楼上天天半夜装修吵死了，物业也不管，你们管不管？', '你好'];
    for (const t of texts) classifier.classify(t);
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) classifier.classify(`${texts[i % 3]}${i}`);
    expect((performance.now() - t0) / n).toBeLessThan(1);
  });

  it('handles empty and very long input', () => {
    expect(classifier.classify('').intent).toBeTypeOf('string');
    expect(classifier.classify('投诉'.repeat(5000)).intent).toBe('complain');
  });
});

describe('reply templates', () => {
  it('returns the YAML templates, picking a variant deterministically', () => {
    expect(classifier.replyTemplate('greet')).toContain('一号答');
    expect(classifier.replyTemplate('human', 'offline')).toContain('12345');
    expect(classifier.replyTemplate('greet', 'default', 7)).toBe(classifier.replyTemplate('greet', 'default', 7));
    expect(classifier.replyTemplate('greet', 'no_such_key')).toBeUndefined();
  });

  it('fills placeholders', () => {
    expect(fillTemplate('工单{number}已转{dept}', { number: 'A1', dept: '区住建局' })).toBe('工单A1已转区住建局');
    expect(fillTemplate('{unknown}', {})).toBe('{unknown}');
  });
});
