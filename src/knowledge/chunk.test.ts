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
    expect(supply.section).toBe('第一部分1.');
  });
  it('gives later passages the document lead as context, and the title', () => {
    expect(ps[0]!.context).toBeUndefined();
    expect(ps[1]!.context).toMatch(/^各有关单位：为帮助企业经营/);
    expect(ps.every((p) => p.title === '关于稳定商务发展有关措施的通知')).toBe(true);
  });
});
