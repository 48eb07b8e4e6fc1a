import { describe, expect, it } from 'vitest';
import { chunkDocument, restoreParagraphs } from './chunk.js';
import type { KnowledgeDoc } from './schema.js';

const doc = (body: string): KnowledgeDoc => ({
  id: 'd', title: '关于稳定商务发展有关措施的通知', type: 'policy', issuer: '市商务局', published: '2020-02-10',
  status: '现行有效', departments: [], topics: [], body, source: 'test',
});

describe('restoreParagraphs', () => {
  it('turns spaces between Chinese paragraphs into breaks, keeping Latin spacing', () => {
    expect(restoreParagraphs('通知 一、总体要求 1.加强领导。 打开 APP 首页')).toBe('通知\n\n一、总体要求\n\n1.加强领导。\n\n打开 APP 首页');
  });
  it('leaves text that already has line breaks alone', () => {
    expect(restoreParagraphs('第一段\n\n第二段 同段')).toBe('第一段\n\n第二段 同段');
  });
});

describe('chunkDocument on run-on text', () => {
  const body =
    '各有关单位： 为帮助企业经营，特制定如下措施： 一、全力保障生活必需品供应 1.实施点对点监测补货机制。市商务局统筹重点企业。 ' +
    '2.保障运输。对重点保障物资的运输开辟绿色通道。 二、缓解企业经营压力 3.对受疫情影响的企业减免房租。';
  const ps = chunkDocument(doc(body));
  it('keeps the heading path and a citable section in each passage', () => {
    const rent = ps.find((p) => p.text.includes('减免房租'))!;
    expect(rent.headings[0]).toBe('二、缓解企业经营压力');
    expect(rent.section).toBe('第二部分3.');
    const supply = ps.find((p) => p.text.includes('补货'))!;
    // Items 1. and 2. of one list share a passage, cited by the list's heading.
    expect(supply.section).toBe('第一部分');
    expect(supply.text).toContain('2.保障运输');
  });
  it('keeps a numbered list together with the sentence introducing it', () => {
    const list = chunkDocument(
      doc(
        '申请停征污水处理费的企业，需提交以下材料：\n\n1.停征污水处理费审批表，原件1份。\n\n2.申请单位身份证明材料：营业执照复印件1份。\n\n' +
          '3.办理时间：自即日起至疫情结束一个月内。\n\n二、其他事项\n\n本措施自发布之日起施行，由市水务局负责解释。',
      ),
    );
    const materials = list.find((p) => p.text.includes('审批表'))!;
    expect(materials.text).toContain('需提交以下材料');
    expect(materials.text).toContain('3.办理时间');
    expect(materials.text).not.toContain('由市水务局负责解释');
  });
  it('gives later passages the document lead as context, and the title', () => {
    expect(ps[0]!.context).toBeUndefined();
    expect(ps[1]!.context).toMatch(/^各有关单位：为帮助企业经营/);
    expect(ps.every((p) => p.title === '关于稳定商务发展有关措施的通知')).toBe(true);
  });
});

describe('chunkDocument with a byline at the end', () => {
  it('joins a tiny last paragraph to the one before instead of making it a passage', () => {
    // Real shape (NCPQA, 鹤壁): news text, then "责任编辑：李瑞" alone; as its own passage it won
    // every question about the document on length normalisation.
    const ps = chunkDocument(
      doc(
        '2月21日是鹤壁市向市区投放一次性口罩的第一天，市疫情防控指挥部对此情况进行督导，现场解决问题，确保有序投放。\n\n' +
          '本次投放的一次性口罩指定市千禧新特药有限责任公司定点销售，每人限购一包，凭身份证购买。\n\n责任编辑：李瑞',
      ),
    );
    expect(ps.some((p) => p.text === '责任编辑：李瑞')).toBe(false);
    expect(ps[ps.length - 1]!.text.endsWith('责任编辑：李瑞')).toBe(true);
  });
});
