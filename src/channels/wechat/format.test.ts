import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCitation, formatReply, splitMessage, stripMarkdown } from './format.js';

describe('stripMarkdown', () => {
  it('removes markup WeChat would show literally', () => {
    expect(stripMarkdown('## 办理流程\n**第一步**：提交`申请表`\n- 网上办理\n* 窗口办理\n[查看原文](https://example.gov.cn/a)')).toBe(
      '办理流程\n第一步：提交申请表\n· 网上办理\n· 窗口办理\n查看原文（https://example.gov.cn/a）',
    );
  });
  it('leaves plain Chinese text alone', () => {
    expect(stripMarkdown('根据《条例》第十条：可以申请。')).toBe('根据《条例》第十条：可以申请。');
  });
});

describe('formatReply', () => {
  const citation = { id: 'doc1', title: '牡丹区2021年政务公开工作要点', doc_no: '菏区政办发〔2021〕5号', section: '三、重点任务', url: 'https://www.mudan.gov.cn/x' };

  it('puts citations as short lines with their link', () => {
    expect(formatCitation(citation)).toBe('《牡丹区2021年政务公开工作要点》菏区政办发〔2021〕5号，三、重点任务\nhttps://www.mudan.gov.cn/x');
    expect(formatCitation({ id: 'g', title: '《办事指南》' })).toBe('《办事指南》');
  });

  it('lists options, the case number and sources, and asks for feedback when told', () => {
    const text = formatReply(
      { text: '请问您指的是哪一项？', citations: [citation, { ...citation }], options: ['政府信息公开', '依申请公开'], caseNumber: '20211105-0001' },
      { askFeedback: true },
    );
    expect(text).toBe(
      '请问您指的是哪一项？\n\n请回复序号选择：\n1. 政府信息公开\n2. 依申请公开\n\n工单编号：20211105-0001\n\n' +
        '依据：《牡丹区2021年政务公开工作要点》菏区政办发〔2021〕5号，三、重点任务\nhttps://www.mudan.gov.cn/x\n\n' +
        '这个回答对您有帮助吗？请回复“有用”或“没用”。',
    );
  });

  it('does not list options twice when the text already numbers them', () => {
    const text = '您想问的是不是下面这些政策里的内容？请回复序号查看，都不是请回复“都不是”：\n1. 《关于阶段性减免企业社会保险费的通知》\n2. 都不是';
    expect(formatReply({ text, citations: [], options: ['《关于阶段性减免企业社会保险费的通知》', '都不是'] })).toBe(text);
    const offer = '这个问题我暂时答不上来。您可以：\n1. 留言登记工单，由责任部门在规定时限内答复您；\n2. 拨打12345政务服务便民热线咨询人工客服。';
    expect(formatReply({ text: offer, citations: [], options: ['留言登记工单', '拨打12345热线'] })).toContain('请回复序号选择：\n1. 留言登记工单\n2. 拨打12345热线');
  });

  it('does not repeat a case number already in the text', () => {
    expect(formatReply({ text: '已为您登记工单20211105-0002。', citations: [], caseNumber: '20211105-0002' })).toBe('已为您登记工单20211105-0002。');
  });
});

describe('splitMessage', () => {
  it('keeps a short message whole', () => {
    expect(splitMessage('您好。', 600)).toEqual(['您好。']);
  });

  it('splits at sentence boundaries, in order, with part markers', () => {
    const sentences = Array.from({ length: 6 }, (_, i) => `第${i + 1}句话说明一项办理要求。`);
    const parts = splitMessage(sentences.join(''), 40);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(40);
      expect(p.endsWith(`。（${i + 1}/${parts.length}）`)).toBe(true);
    });
    expect(parts.map((p) => p.replace(/（\d+\/\d+）$/, '')).join('')).toBe(sentences.join(''));
  });

  it('falls back to clauses, then code points, for one very long sentence', () => {
    const parts = splitMessage('甲'.repeat(30) + '，' + '乙'.repeat(30) + '😀'.repeat(20), 25);
    for (const p of parts) expect(Array.from(p).length).toBeLessThanOrEqual(25);
    expect(parts.join('')).not.toContain('\uFFFD');
    expect(parts.map((p) => p.replace(/（\d+\/\d+）$/, '')).join('')).toBe('甲'.repeat(30) + '，' + '乙'.repeat(30) + '😀'.repeat(20));
  });

  it('never loses, reorders or oversizes text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('申', '请', '。', '，', '！', '\n', 'a', ' ', '😀', '”'), { maxLength: 400 }), fc.integer({ min: 12, max: 80 }), (chars, max) => {
        const text = chars.join('');
        const parts = splitMessage(text, max);
        for (const p of parts) expect(Array.from(p).length).toBeLessThanOrEqual(max);
        const strip = (s: string) => s.replace(/\s+/g, '');
        const body = parts.length > 1 ? parts.map((p) => p.replace(/（\d+\/\d+）$/, '')) : parts;
        expect(strip(body.join(''))).toBe(strip(text));
      }),
    );
  });
});
