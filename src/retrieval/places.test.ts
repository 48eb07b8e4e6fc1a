import { describe, expect, it } from 'vitest';
import { createGazetteer, GAZETTEER, placesAgree } from './places.js';

const codes = (text: string) => GAZETTEER.find(text).map((p) => p.code).sort();

describe('gazetteer', () => {
  it('finds provinces and prefectures by full and short name', () => {
    expect(codes('上海市对沿街商户有何管理要求？')).toEqual(['31']);
    expect(codes('重庆税务局特殊业务如何现场办理')).toEqual(['50']);
    expect(codes('南宁市对疫情防控做出了哪些措施')).toEqual(['4501']);
    expect(codes('莆田市的“八闽健康码”涵盖了哪些内容')).toEqual(['3503']);
    expect(codes('菏泽牡丹区的政务公开')).toEqual(['3717', '371702']);
    expect(codes('曹县的农民工返乡补贴')).toEqual(['371721']);
    expect(codes('延边州和恩施的补贴')).toEqual(['2224', '4228']);
  });

  it('reads a longer name first: 吉林市 is the city, not also the province', () => {
    expect(codes('吉林市人社局')).toEqual(['2202']);
    expect(codes('吉林省人社厅')).toEqual(['22']);
  });

  it('maps a county name held by several cities to all of them', () => {
    expect(codes('朝阳区').length).toBeGreaterThan(1);
  });

  it('finds nothing in a question without a place', () => {
    expect(codes('社保断交了怎么补缴')).toEqual([]);
    expect(codes('税务局对疫情防治临时性工作补助如何征税')).toEqual([]);
  });

  it('rejects a malformed gazetteer file', () => {
    expect(() => createGazetteer({ provinces: [{ code: 'x', name: '上海市', short: '上海' }], cities: [] })).toThrow();
  });
});

describe('placesAgree', () => {
  const q = (t: string) => GAZETTEER.find(t);
  it('agrees on the same place and on a city of the province, both ways', () => {
    expect(placesAgree(q('四川省农民工返岗'), q('成都市人民政府关于农民工返岗的通知'))).toBe(true);
    expect(placesAgree(q('成都市农民工返岗'), q('四川省人社厅通知'))).toBe(true);
    expect(placesAgree(q('上海应对疫情做出了哪些调整'), q('上海市人民政府'))).toBe(true);
    expect(placesAgree(q('牡丹区政府信息公开怎么申请'), q('菏泽市人民政府办公室'))).toBe(true);
  });
  it('disagrees when the document names only other places', () => {
    expect(placesAgree(q('北京市采取了哪些税费优惠措施'), q('山西：21条税收措施助力企业复产扩能'))).toBe(false);
    expect(placesAgree(q('南通市出口信用保险补贴'), q('苏州市出口信用保险'))).toBe(false);
    expect(placesAgree(q('牡丹区的低保'), q('定陶区民政局'))).toBe(false);
  });
  it('has nothing to judge when either side names no place', () => {
    expect(placesAgree(q('社保怎么交'), q('北京市社会保险'))).toBeUndefined();
    expect(placesAgree(q('北京市社保怎么交'), q('国务院办公厅通知'))).toBeUndefined();
  });
});
