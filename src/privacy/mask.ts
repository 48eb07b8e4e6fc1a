/**
 * Personal-data masking, applied before any citizen text is stored or logged.
 *
 * Each detector is a pattern plus a validator (ID checksum and birth date, Luhn, the GB 32100
 * check character), so numbers that merely look similar — dates, amounts, 文号 like
 * 国办发〔2020〕53号, case numbers like 20211105-0012 — stay readable. Pure functions, no I/O:
 * runs on Node and Workers.
 */

export type PersonalDataKind = 'id_card' | 'credit_code' | 'bank_card' | 'mobile' | 'landline' | 'email' | 'plate';

/** The placeholder each kind is replaced with (readable for office workers reading logs). */
export const MASK_TOKEN: Record<PersonalDataKind, string> = {
  id_card: '[身份证号]',
  credit_code: '[信用代码]',
  bank_card: '[银行卡号]',
  mobile: '[手机号]',
  landline: '[电话]',
  email: '[邮箱]',
  plate: '[车牌号]',
};

export interface MaskResult {
  text: string;
  /** Kinds found, each once, in detection order. */
  kinds: PersonalDataKind[];
}

// No letter or digit (ASCII or full-width) directly before/after a number we mask.
const B = '(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])';
const E = '(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** 18-digit resident ID: region code, a real birth date between 1900 and 2099, and the check character. */
export function isValidId18(s: string): boolean {
  if (!/^[1-8]\d{16}[\dX]$/i.test(s)) return false;
  const y = Number(s.slice(6, 10));
  if (y < 1900 || y > 2099 || !validDate(y, Number(s.slice(10, 12)), Number(s.slice(12, 14)))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === s[17]!.toUpperCase();
}

/** 15-digit (pre-1999) resident ID: region code and a real birth date 19YYMMDD. */
export function isValidId15(s: string): boolean {
  if (!/^[1-8]\d{14}$/.test(s)) return false;
  return validDate(1900 + Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)));
}

/** Luhn checksum, as bank cards carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** 统一社会信用代码 (GB 32100-2015): 18 characters with a mod-31 check character. */
export function isValidCreditCode(s: string): boolean {
  const code = s.toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(code[i]!) * USCC_WEIGHTS[i]!;
  const check = (31 - (sum % 31)) % 31;
  return USCC_CHARS[check] === code[17];
}

interface Detector {
  kind: PersonalDataKind;
  pattern: RegExp;
  /** Decide on the raw match; default: accept. */
  accept?: (match: string) => boolean;
}

const digitsOf = (s: string) => s.replace(/[^\dXx]/g, '');

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const PLATE_LETTER = 'A-HJ-NP-Z';

/** Order matters: earlier detectors claim characters first (ID before credit code before bank card). */
const DETECTORS: Detector[] = [
  { kind: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  { kind: 'id_card', pattern: new RegExp(`${B}\\d{17}[\\dXx]${E}`, 'g'), accept: isValidId18 },
  { kind: 'credit_code', pattern: new RegExp(`${B}[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}${E}`, 'gi'), accept: isValidCreditCode },
  { kind: 'id_card', pattern: new RegExp(`${B}\\d{15}${E}`, 'g'), accept: isValidId15 },
  {
    // 16–19 digits, optionally in groups of four, Luhn-valid, with an issuer prefix seen on cards
    // in China: UnionPay 62/60, Visa 4, Mastercard 51–55, JCB 35, domestic 94/95.
    kind: 'bank_card',
    pattern: new RegExp(`${B}(?:\\d{4}[ -]){3,4}\\d{1,7}${E}|${B}\\d{16,19}${E}`, 'g'),
    accept: (m) => {
      const d = digitsOf(m);
      return d.length >= 16 && d.length <= 19 && /^(?:62|60|4|5[1-5]|35|9[45])/.test(d) && luhnValid(d);
    },
  },
  { kind: 'mobile', pattern: new RegExp(`${B}(?:(?:\\+|00)?86[ -]?)?1[3-9]\\d(?:[ -]?\\d{4}){2}${E}`, 'g') },
  {
    // Area code in brackets or followed by a separator; or a bare 10–12 digit number with a
    // plausible area code (010, 02x, 03xx–09xx); optional extension.
    kind: 'landline',
    pattern: new RegExp(
      `(?:[(（]0\\d{2,3}[)）][ -]?|${B}0\\d{2,3}[ -])\\d{7,8}(?:(?:-|转)\\d{1,5})?${E}|${B}(?:010|02\\d|0[3-9]\\d{2})\\d{7,8}${E}`,
      'g',
    ),
  },
  {
    // A local number without area code only counts next to a word that says it is a phone number.
    kind: 'landline',
    pattern: new RegExp(`(?<=(?:电话|座机|固话|联系方式|联系电话|号码|tel|Tel|TEL)[：:是为\\s]{0,3})\\d{7,8}${E}`, 'g'),
  },
  {
    kind: 'plate',
    pattern: new RegExp(
      `[${PROVINCES}][${PLATE_LETTER}][·・•\\s]?(?:[${PLATE_LETTER}0-9]{5,6}|[${PLATE_LETTER}0-9]{4}[挂学警港澳])${E}`,
      'g',
    ),
    // At least one digit, so words written in capitals are not plates.
    accept: (m) => /\d/.test(m.slice(2)),
  },
];

/**
 * Replace personal data in `text` with placeholders such as `[手机号]`.
 * @example maskPersonalData('我的电话13812345678').text === '我的电话[手机号]'
 */
export function maskPersonalData(text: string): MaskResult {
  // Every kind contains a digit (ASCII or full-width) or an @: most messages need no work.
  if (!/[0-9０-９@]/.test(text)) return { text, kinds: [] };
  let out = text;
  const kinds: PersonalDataKind[] = [];
  for (const d of DETECTORS) {
    d.pattern.lastIndex = 0;
    out = out.replace(d.pattern, (m) => {
      if (d.accept && !d.accept(m)) return m;
      if (!kinds.includes(d.kind)) kinds.push(d.kind);
      return MASK_TOKEN[d.kind];
    });
  }
  return { text: out, kinds };
}
