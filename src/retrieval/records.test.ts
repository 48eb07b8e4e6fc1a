import { describe, expect, it } from 'vitest';
import { corpusRecordSchema, docFromRecord, parseJsonl, safeDocId, splitTitle } from './records.js';

describe('corpus records', () => {
  it('takes the first short paragraph of run-on text as the title', () => {
    expect(splitTitle('关于阶段性减免企业社会保险费的通知 各省、自治区人力资源社会保障厅： 一、减免单位缴费。')).toEqual({
      title: '关于阶段性减免企业社会保险费的通知',
      body: '各省、自治区人力资源社会保障厅：\n\n一、减免单位缴费。',
    });
  });
  it('turns a record into a knowledge document with neutral defaults', () => {
    const rec = corpusRecordSchema.parse({ docid: '5e99', text: '标题 正文。' });
    expect(docFromRecord(rec, 'c.jsonl:1')).toMatchObject({ id: '5e99', title: '标题', type: 'policy', status: '现行有效', body: '正文。', source: 'c.jsonl:1' });
  });
  it('makes ids safe for Meilisearch and keeps them unique', () => {
    expect(safeDocId('abc-1_2')).toBe('abc-1_2');
    expect(safeDocId('政策/2020 1')).toMatch(/^2020-1-[0-9a-z]+$/);
    expect(safeDocId('政策/2020 1')).not.toBe(safeDocId('政策/2020 2'));
  });
  it('reports bad JSONL lines with file:line and keeps the good ones', () => {
    const { records, errors } = parseJsonl('{"id":"a","text":"正文"}\nnope\n\n{"text":"x"}\n{"id":"b","text":""}\n', 'in.jsonl', corpusRecordSchema);
    expect(records.map((r) => [r.line, r.value.id])).toEqual([[1, 'a']]);
    expect(errors).toEqual(['in.jsonl:2: not valid JSON', 'in.jsonl:4: docid: needs "docid" or "id"', 'in.jsonl:5: text: must not be empty']);
  });
});
