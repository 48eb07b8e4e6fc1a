import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStats } from './bm25.js';
import { createQueryModel } from './query-model.js';
import {
  answerCues,
  correctTypos,
  EXPANSION_WEIGHT,
  extractKeywords,
  findExpansions,
  normalizeDates,
  normalizeWidth,
  rewriteSynonyms,
  stripFillers,
  toSimplified,
  understandQuery,
  VOCAB_BOOST,
  vocabularyIn,
} from './query.js';
import { parseSynonyms } from './synonyms.js';

const synonyms = parseSynonyms(readFileSync(join(import.meta.dirname, '../../knowledge/synonyms.yaml'), 'utf8'), 'knowledge/synonyms.yaml');

// A small lexicon from real policy sentences (the statistics the index would provide).
const corpus = [
  '受疫情影响生产经营出现严重困难的企业，可申请缓缴社会保险费，缓缴期限原则上不超过6个月，缓缴期间免收滞纳金。',
  '对受疫情影响较大的中小微企业，银行要合理延后贷款还款期限，贷款到期的可予以展期或续贷。',
  '对承租国有资产类经营用房的中小微企业，免收2月、3月两个月房租，4月至6月房租减半。',
  '社保经办机构要做好个人权益记录工作，确保参保人员社会保险权益不受影响。',
  '企业职工因疫情隔离期间，企业应当支付工资，不得解除劳动合同。',
  '纳税人可通过电子税务局网上办理纳税申报，申报期限延长至2月24日。',
  '依法查处哄抬物价、囤积居奇等价格违法行为，维护市场价格秩序。',
  '农民工返岗复工，由人社部门组织点对点包车服务。',
];
const model = createQueryModel(computeStats(corpus), synonyms);
const lex = model.lexicon;

describe('toSimplified (OpenCC)', () => {
  it('converts traditional characters and, for traditional text, Taiwan phrases', () => {
    expect(toSimplified('社會保險費怎麼繳納')).toBe('社会保险费怎么缴纳');
    expect(toSimplified('申請政府資訊公開')).toBe('申请政府信息公开');
  });
  it('leaves simplified text alone (no phrase rewriting of 文件 or 呼叫)', () => {
    expect(toSimplified('根据什么文件累计呼叫')).toBe('根据什么文件累计呼叫');
  });
});

describe('normalizeWidth / normalizeDates', () => {
  it('folds full-width letters and digits', () => {
    expect(normalizeWidth('１２３４５ ＡＰＰ')).toBe('12345 app');
  });
  it('writes months and days as documents do', () => {
    expect(normalizeDates('二月份报税')).toBe('2月报税');
    expect(normalizeDates('2月13号开会')).toBe('2月13日开会');
    expect(normalizeDates('三个月房租')).toBe('三个月房租');
    expect(normalizeDates('二月十三号发的通知')).toBe('2月13日发的通知');
    expect(normalizeDates('3月二十一日')).toBe('3月21日');
  });
});

describe('stripFillers', () => {
  it('keeps a quoted name whole: its 请/您/怎么 are not the asker\'s', () => {
    expect(stripFillers('《请您监督》专栏是在哪个媒介上开设的？')).toBe('请您监督 专栏是在 媒介上开设');
    expect(stripFillers('请问“怎么办”小程序在哪下载')).toBe('怎么办 小程序在哪下载');
  });
  it('removes question words, greetings and particles, keeping content apart', () => {
    expect(stripFillers('请问社保怎么交？')).toBe('社保 交');
    expect(stripFillers('你好，我想问一下公积金能不能缓缴呢')).toBe('公积金 缓缴');
  });
  it('drops a 不 / 没(有) that closes a clause as a yes-or-no question, not one inside a word (差不多)', () => {
    expect(stripFillers('天津一线医生护士的绩效工资能多发点不')).toBe('天津一线医生护士 绩效工资能多发点');
    expect(stripFillers('缓缴期间要交滞纳金不？')).toBe('缓缴期间要交滞纳金');
    expect(stripFillers('厂里发了工资没有')).toBe('厂里发 工资');
    expect(stripFillers('差不多')).toBe('差不多');
    expect(stripFillers('要不要交')).toBe('交'); // an A-not-A question, see below
  });
  it('strips dialect and spoken question words whole (咋整, 咋弄, 啥子, 中不中)', () => {
    expect(stripFillers('网上查不了档案，咋整')).toBe('网上查不 档案');
    expect(stripFillers('二维码咋弄出来')).toBe('二维码 出来');
    expect(stripFillers('会出啥子问题嘛')).toBe('会出 问题');
    expect(stripFillers('能往后延三个月，中不中')).toBe('能往后延三个月');
  });
  it('turns an A-not-A question into its declarative form (收不收费 → 收费)', () => {
    expect(stripFillers('健康证明收不收费')).toBe('健康证明收费');
    expect(stripFillers('医护人员感染算不算工伤')).toBe('医护人员感染算工伤');
    expect(stripFillers('厂里发没发工资')).toBe('厂里发工资');
    expect(stripFillers('税务局会不会罚款')).toBe('税务局 罚款');
    expect(stripFillers('差不多')).toBe('差不多');
  });
  it('keeps 办理 in 怎么办理 and 我 in 自我', () => {
    expect(stripFillers('护照怎么办理')).toBe('护照 办理');
    expect(stripFillers('怎样做好自我防护')).toBe('做好自我防护');
  });
});

describe('synonyms: colloquial → official', () => {
  it('finds colloquial terms and their official forms', () => {
    expect(findExpansions('交不起房租', synonyms)).toEqual([{ colloquial: '交不起房租', official: ['租金减免', '减免租金'] }]);
    expect(rewriteSynonyms('社保 缓缴', synonyms)).toBe('社会保险 缓缴');
  });
  it('does not treat a colloquial term inside an official one as colloquial (复产 in 复工复产)', () => {
    expect(findExpansions('复工复产补贴', synonyms)).toEqual([]);
  });
  it('lists the vocabulary present in a question, longest first', () => {
    expect(vocabularyIn('住房公积金 缓缴', synonyms)).toEqual(['住房公积金', '缓缴']);
  });
});

describe('correctTypos (pinyin)', () => {
  it('fixes pinyin-input typos that the index and vocabulary contradict', () => {
    expect(correctTypos('设保 交', lex)).toEqual({ text: '社保 交', corrections: [['设', '社']] });
    expect(correctTypos('小微企业代款延期', lex).text).toBe('小微企业贷款延期');
    expect(correctTypos('有人哄台物价', lex).text).toBe('有人哄抬物价');
  });
  it('uses fuzzy pinyin (-ng/-n) only to form a vocabulary word', () => {
    expect(correctTypos('农名工返岗', lex).text).toBe('农民工返岗');
  });
  it('leaves modal verbs alone (不想 must not become 不见 because 不见面 is common)', () => {
    const withMeeting = createQueryModel(computeStats([...corpus, '推行不见面审批，不见面办理，不见面服务。', '群众办事不见面，网上办理。']), synonyms).lexicon;
    expect(correctTypos('办事不想跑大厅', withMeeting).corrections).toEqual([]);
  });
  it('leaves place names alone, however well a homophone would fit (大连 is not 大年)', () => {
    // A lexicon in which 大年 is a frequent word and 连 sounds like 年 (l/n): without the gazetteer
    // the city would be "corrected".
    const fake = {
      df: (b: string) => ({ 大年: 100, 年税: 5 })[b] ?? 0,
      isWord: (b: string) => b === '大年',
      homophones: (ch: string, fuzzy?: boolean) => ('连涟'.includes(ch) && fuzzy ? [ch, '年'] : [ch]),
    };
    expect(correctTypos('大涟税务局', fake).text).toBe('大年税务局'); // not a place: corrected
    expect(correctTypos('大连税务局', fake).corrections).toEqual([]);
  });
  it('takes no evidence from a grammatical neighbour, and keeps a character it pairs with well', () => {
    // A lexicon where the homophones fit their grammatical neighbours far better (能不, 不多, 中小):
    // 能补多少 must not become 能不多少, nor 这种小店 这中小店.
    const df: Record<string, number> = { 能不: 80, 不多: 60, 中小: 90, 这种: 40, 种小: 0, 补多: 0, 能补: 0 };
    const fake = {
      df: (b: string) => df[b] ?? 0,
      isWord: (b: string) => b === '中小',
      homophones: (ch: string) => ({ 补: ['补', '不'], 种: ['种', '中'] })[ch] ?? [ch],
    };
    expect(correctTypos('政府能补多少钱', fake).corrections).toEqual([]);
    expect(correctTypos('这种小店', fake).corrections).toEqual([]);
    // A numeral is evidence: 二位码 is 二维码.
    const codes = { df: (b: string) => ({ 二维: 30, 维码: 30 })[b] ?? 0, isWord: () => false, homophones: (ch: string) => (ch === '位' ? ['位', '维'] : [ch]) };
    expect(correctTypos('二位码', codes).text).toBe('二维码');
  });
  it('leaves correct text and grammatical characters alone', () => {
    for (const q of ['企业缓缴社会保险费', '银行贷款展期', '温州企业何时能够复工', '给与多少补助']) {
      expect(correctTypos(q, lex).corrections).toEqual([]);
    }
  });
});

describe('answerCues', () => {
  it('maps the question word to words that mark such answers', () => {
    expect(answerCues('申请要多久')).toContain('工作日');
    expect(answerCues('要带什么材料')).toContain('材料');
    expect(answerCues('社保是什么')).toEqual([]);
  });
});

describe('extractKeywords', () => {
  it('keeps the rare, known phrases of a long message in order and drops chatter', () => {
    const kw = extractKeywords('今年开始在城里打工 现在疫情 企业缓缴社会保险费 滞纳金', lex, model.idf, 6);
    expect(kw).toContain('缓缴');
    expect(kw).toContain('滞纳金');
    expect(kw).not.toContain('城里');
  });
});

describe('understandQuery', () => {
  it('chains simplification, stripping, typo correction and expansion', () => {
    const u = understandQuery('請問設保可以緩繳嗎？', synonyms, lex, model.idf);
    expect(u.normalized).toBe('社保 缓缴');
    expect(u.rewritten).toBe('社会保险 缓缴');
    expect(u.corrections).toEqual([['设', '社']]);
    expect(u.topic.split(' ')).toEqual(expect.arrayContaining(['缓缴', '社会保险']));
    expect(u.terms.get('社保')).toBeGreaterThan(0);
    expect(u.terms.get('保险')).toBeGreaterThan(0);
    expect(u.original.has('保险')).toBe(false);
  });
  it('drops isolated unknown bigrams at word boundaries but keeps unknown words', () => {
    const u = understandQuery('企业社保缴费', synonyms, lex, model.idf);
    expect(u.terms.has('业社')).toBe(false);
    const off = understandQuery('护照', synonyms, lex, model.idf);
    expect(off.terms.has('护照')).toBe(true);
  });
  it('finds colloquial phrases that stripping cuts apart (报不了税, 打工的)', () => {
    const u = understandQuery('疫情闹得到月底都报不了税', synonyms, lex, model.idf);
    expect(u.normalized).not.toContain('报不了税');
    expect(u.expansions).toContainEqual({ colloquial: '报不了税', official: ['延期申报'] });
    expect(u.terms.get('延期')).toBeGreaterThan(0);
    expect(u.rewritten).toContain('延期申报');
  });
  it('prefers the longer spoken phrase to the shorter one stripping left (交税的人 → 纳税人, not 交税 → 纳税申报)', () => {
    const u = understandQuery('湖北交税的人有啥照顾政策', synonyms, lex, model.idf);
    expect(u.expansions.map((e) => e.colloquial)).toContain('交税的人');
    expect(u.expansions.map((e) => e.colloquial)).not.toContain('交税');
    expect(u.terms.get('税人')).toBe(EXPANSION_WEIGHT);
    expect(u.terms.has('申报')).toBe(false);
  });
  it('lifts official vocabulary, not colloquial words, and weighs expansions like question words', () => {
    const u = understandQuery('小厂缓缴社保', synonyms, lex, model.idf);
    expect(u.terms.get('缓缴')).toBe(VOCAB_BOOST);
    expect(u.terms.get('社保')).toBe(1);
    expect(u.terms.get('小厂')).toBe(1);
    expect(u.terms.get('保险')).toBe(EXPANSION_WEIGHT);
  });
  it('returns an empty query for pure filler', () => {
    expect(understandQuery('请问一下？', synonyms, lex, model.idf).normalized).toBe('');
  });
});
