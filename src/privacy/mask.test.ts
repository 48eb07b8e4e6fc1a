import { describe, expect, it } from 'vitest';
import { isValidCreditCode, isValidId15, isValidId18, luhnValid, maskPersonalData, type PersonalDataKind } from './mask.js';

/** Real-looking personal data inside realistic sentences: [text, kind, what must disappear]. */
const POSITIVES: Array<[string, PersonalDataKind, string]> = [
  ['我的身份证号是372901199003073419，请帮我查一下', 'id_card', '372901199003073419'],
  ['身份证：11010519491231002X', 'id_card', '11010519491231002X'],
  ['身份证：11010519491231002x。', 'id_card', '11010519491231002x'],
  ['老身份证号372901900307341还能用吗', 'id_card', '372901900307341'],
  ['手机13812345678，有事打我', 'mobile', '13812345678'],
  ['联系我：138 1234 5678', 'mobile', '138 1234 5678'],
  ['电话是+86 19912345678', 'mobile', '19912345678'],
  ['号码138-1234-5678谢谢', 'mobile', '138-1234-5678'],
  ['我家座机0530-5551234', 'landline', '0530-5551234'],
  ['请打（0530）5551234转802', 'landline', '5551234'],
  ['办公室电话05305551234', 'landline', '05305551234'],
  ['北京的电话010-87654321', 'landline', '010-87654321'],
  ['联系电话：5551234', 'landline', '5551234'],
  ['工资卡6222021602001234568一直没到账', 'bank_card', '6222021602001234568'],
  ['银行卡 6217 0012 3456 7890 122', 'bank_card', '6217 0012 3456 7890 122'],
  ['信用卡4367420012345673被扣费', 'bank_card', '4367420012345673'],
  ['邮箱zhang.san@example.com', 'email', 'zhang.san@example.com'],
  ['发到 wang_li88@163.com 就行', 'email', 'wang_li88@163.com'],
  ['车牌鲁R12345被贴罚单', 'plate', '鲁R12345'],
  ['鲁R·A1234的车一直占道', 'plate', '鲁R·A1234'],
  ['新能源车鲁RD12345能进吗', 'plate', '鲁RD12345'],
  ['京A1234学是教练车', 'plate', '京A1234学'],
  ['公司统一社会信用代码91371702MA3N4B7K2G', 'credit_code', '91371702MA3N4B7K2G'],
  ['事业单位代码12371700004319287W', 'credit_code', '12371700004319287W'],
  ['个体户92371702MA3C8QXE15的营业执照', 'credit_code', '92371702MA3C8QXE15'],
];

/** Look-alikes that must survive untouched. */
const NEGATIVES: string[] = [
  '根据国办发〔2020〕53号文件',
  '菏区政办发〔2021〕5号和鲁政办字〔2021〕12号',
  '工单20211105-0012办到哪了',
  '工单号 20211105-00123',
  '2021年11月5日下午3点',
  '2021-11-05 13:30 到 2021/11/30',
  '补贴12000元，共计1,234,567.89元',
  '一共3000000元专项资金',
  '打12345热线咨询',
  '2019年有4326条留言，增长了35.6%',
  '第3号楼2单元1102室',
  'A5区汇金路五矿万境K9县24栋',
  '58车贷案涉及3.08亿元，出借人约5600人',
  '地铁3号线松雅湖站，110kv高压线',
  '身份证号372901199003073418（校验位错）',
  '372901199013073419 不是合法日期',
  '订单号2019110512345678',
  '京港澳高速和G4高速',
  'ISO 9001:2015 认证',
  '邮编274000',
  '统计期间2019010120191231',
  'HTTP 404 和 version 1.2.3',
];

describe('maskPersonalData', () => {
  it.each(POSITIVES)('masks %s as %s', (text, kind, secret) => {
    const r = maskPersonalData(text);
    expect(r.kinds).toContain(kind);
    expect(r.text).not.toContain(secret);
    expect(r.text).toMatch(/\[[^\]]+\]/);
  });

  it.each(NEGATIVES.map((t) => [t]))('leaves %s untouched', (text) => {
    expect(maskPersonalData(text)).toEqual({ text, kinds: [] });
  });

  it('keeps the text around the mask and reports each kind once', () => {
    const r = maskPersonalData('张先生13812345678，身份证372901199003073419，备用13912345678');
    expect(r.text).toBe('张先生[手机号]，身份证[身份证号]，备用[手机号]');
    expect(r.kinds).toEqual(['id_card', 'mobile']);
  });
});

describe('validators', () => {
  it('checks ID numbers by checksum and birth date', () => {
    expect(isValidId18('11010519491231002X')).toBe(true);
    expect(isValidId18('110105194912310021')).toBe(false);
    expect(isValidId18('110105194902300023')).toBe(false);
    expect(isValidId15('372901900307341')).toBe(true);
    expect(isValidId15('372901901307341')).toBe(false);
  });
  it('checks Luhn and credit codes', () => {
    expect(luhnValid('4367420012345673')).toBe(true);
    expect(luhnValid('4367420012345674')).toBe(false);
    expect(isValidCreditCode('91371702MA3N4B7K2G')).toBe(true);
    expect(isValidCreditCode('91371702MA3N4B7K2H')).toBe(false);
  });
});
