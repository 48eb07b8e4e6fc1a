/**
 * Query understanding: from what a citizen typed to what we search for. Each step is a pure
 * function so it can be tested with real examples; `understandQuery` chains them.
 */
import { Converter } from 'opencc-js/t2cn';
import { pinyin } from 'pinyin-pro';
import { terms } from './bm25.js';
import { GAZETTEER } from './places.js';
import type { SynonymSet } from './synonyms.js';

const t2sChars = Converter({ from: 'tw', to: 'cn' });
// `twp` also maps Taiwan phrases (資訊 → 信息), but applied to simplified text it rewrites
// ordinary words (文件 → 文档, 呼叫 → 调用), so it is used only on text that was traditional.
const t2sPhrases = Converter({ from: 'twp', to: 'cn' });

/**
 * Traditional → simplified Chinese (OpenCC); Taiwan phrases too when the text is traditional.
 * Simplified text is returned unchanged.
 * @example toSimplified('申請政府資訊公開') === '申请政府信息公开'
 */
export function toSimplified(text: string): string {
  const chars = t2sChars(text);
  return chars === text ? text : t2sPhrases(text);
}

/** Full-width → half-width (NFKC), lower-case Latin, single spaces. */
export function normalizeWidth(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Question and filler words, longest first. They are replaced by a space (not deleted) so the
 * characters on either side never form a false bigram. `我` is kept after 自 (自我防护).
 */
const FILLERS = [
  '请问一下', '想问一下', '问一下', '想问下', '问下', '请问', '想问问', '我想问', '想咨询', '咨询一下', '打听一下', '你好', '您好', '麻烦问', '麻烦', '谢谢',
  '怎么样', '怎么办(?!理)', '咋回事', '咋办(?!理)', '怎么', '怎样', '如何', '咋样', '咋', '什么样', '什么', '啥时候', '啥', '哪些', '哪里', '哪儿',
  '哪个', '哪家', '是不是', '是否', '能不能', '可不可以', '能否', '可以吗', '可以', '有没有', '有无', '有何', '为何', '为什么', '多长时间', '多久',
  '应该', '需要', '我想', '我要', '我们', '我家', '本人', '你们', '您', '一下',
  // Conversational padding around the question.
  '听说', '想知道', '知道', '告诉我', '帮我', '帮忙', '问问', '到底', '大概', '一般', '具体', '啥意思', '意思', '那个', '这个',
  '这段时间', '这几天', '之类的', '之类', '一些', '东西', '现在', '目前', '还是', '有点', '比较', '非常', '特别',
  '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '么', '的', '了',
  '呗', '啦', '嘞', '噻',
];
/**
 * Dialect and spoken question words (咋整 = 怎么办, 啥子 = 什么, 中不中 = 行不行), tried before
 * {@link FILLERS} (alternation takes the first that matches, and 咋 alone would leave 整): the verb
 * after 咋 / 怎么 (弄 搞 整) carries nothing a document would say.
 */
const SPOKEN = [
  '(?:咋|怎么|怎样)(?:整|弄|搞|个)', '咋地', '啥子', '啥情况', '干啥', '弄啥', '搞啥', '整啥', '干嘛', '干什么', '为啥',
  '中不中', '行不行', '成不成', '好不好', '对不对',
];
const FILLER_RE = new RegExp(`${[...SPOKEN, ...FILLERS].join('|')}|(?<!自)我|你|俺|咱`, 'g');

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
function cnNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? CN_DIGITS[m[1]]! : 1) * 10 + (m[2] ? CN_DIGITS[m[2]]! : 0);
  return s.length === 1 ? CN_DIGITS[s] : undefined;
}

/**
 * Dates as documents write them: 二月份 → 2月, 2月13号 → 2月13日, 二月十三号 → 2月13日.
 * @example normalizeDates('二月份报税') === '2月报税'
 */
export function normalizeDates(text: string): string {
  return text
    .replace(/([一二三四五六七八九十]{1,3}|\d{1,2})月份?(?=[^份])|([一二三四五六七八九十]{1,3}|\d{1,2})月份?$/g, (all, a?: string, b?: string) => {
      const n = cnNumber(a ?? b ?? '');
      return n && n <= 12 ? `${n}月` : all;
    })
    .replace(/(\d{1,2})月(\d{1,2})[号號]/g, '$1月$2日')
    // Days in Chinese numerals: 2月十三号 → 2月13日.
    .replace(/(\d{1,2})月([一二三四五六七八九十]{1,3})[号號日]/g, (all, m: string, d: string) => {
      const n = cnNumber(d);
      return n && n <= 31 ? `${m}月${n}日` : all;
    });
}

/**
 * Remove question and filler words, and punctuation.
 * @example stripFillers('请问社保怎么交？') === '社保 交'
 */
export function stripFillers(text: string): string {
  const dated = normalizeDates(text);
  // A quoted name (《请您监督》专栏, “八闽健康码”) is kept whole: its 请/您/怎么 are not the asker's.
  let out = '';
  let last = 0;
  for (const m of dated.matchAll(QUOTED)) {
    out += `${stripPlain(dated.slice(last, m.index))} ${stripPunctuation(m[1] ?? m[2] ?? m[3] ?? '')} `;
    last = m.index + m[0].length;
  }
  out += stripPlain(dated.slice(last));
  return out.replace(/\s+/g, ' ').trim();
}

const stripPunctuation = (text: string) => text.replace(/[\p{P}\p{S}]+/gu, ' ');

/** A title or name in 《》, “” or 「」 (up to 40 characters). */
const QUOTED = /《([^《》]{1,40})》|“([^“”]{1,40})”|「([^「」]{1,40})」/gu;

function stripPlain(text: string): string {
  // A 不 / 没(有) closing a clause asks yes-or-no, like 吗: 能多发点不, 要交滞纳金不, 就业没.
  return stripPunctuation(text.replace(/(?<=\p{Script=Han}{2})(?:不|没有|没)(?=[\p{P}\p{S}\s]|$)/gu, ' '))
    .replace(FILLER_RE, ' ')
    // An A-not-A question (收不收费, 算不算工伤, 发没发工资) in its declarative form, as documents
    // write it: 收费, 算工伤, 发工资; a modal asked this way (会不会, 要不要) is a question word and
    // goes whole.
    .replace(/([会要能该可肯])[不没]\1/gu, ' ')
    .replace(/(\p{Script=Han})[不没](?=\1)/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A synonym set's terms sorted longest first, computed once per set (every query needs them). */
const sortedCache = new WeakMap<SynonymSet, { keys: string[]; officials: string[]; vocabulary: string[] }>();
function sortedTerms(synonyms: SynonymSet) {
  let e = sortedCache.get(synonyms);
  if (!e) {
    const longestFirst = (a: string, b: string) => b.length - a.length;
    e = {
      keys: Object.keys(synonyms.expansions).sort(longestFirst),
      officials: [...new Set(Object.values(synonyms.expansions).flat())].sort(longestFirst),
      vocabulary: [...synonyms.vocabulary].sort(longestFirst),
    };
    sortedCache.set(synonyms, e);
  }
  return e;
}

/** Colloquial terms found in `text`, with the official terms they stand for (longest match first). */
export function findExpansions(text: string, synonyms: SynonymSet): Array<{ colloquial: string; official: string[] }> {
  const { keys, officials } = sortedTerms(synonyms);
  const out: Array<{ colloquial: string; official: string[] }> = [];
  // A colloquial term inside an official one (复产 in 复工复产) is not colloquial there.
  let rest = text;
  for (const o of officials) if (rest.includes(o)) rest = rest.split(o).join(' ');
  for (const k of keys) {
    if (!rest.includes(k)) continue;
    out.push({ colloquial: k, official: synonyms.expansions[k]! });
    rest = rest.split(k).join(' ');
  }
  return out;
}

/**
 * Rewrite colloquial terms to their (first) official term, e.g. 社保 → 社会保险.
 * @example rewriteSynonyms('交不起房租', set) === '租金减免'
 */
export function rewriteSynonyms(text: string, synonyms: SynonymSet): string {
  let out = text;
  for (const e of findExpansions(text, synonyms)) out = out.split(e.colloquial).join(` ${e.official[0]} `);
  return out.replace(/\s+/g, ' ').trim();
}

/** What typo correction needs to know about the indexed text: how often each bigram occurs. */
export interface Lexicon {
  /** Passages containing the bigram (0 if never seen). */
  df(bigram: string): number;
  /** Whether `bigram` is (part of) a term of the curated vocabulary (synonym file). */
  isWord(bigram: string): boolean;
  /**
   * Characters that share a reading (pinyin without tone) with `ch`, drawn from the index;
   * with `fuzzy`, those that only share a {@link fuzzyReading}.
   */
  homophones(ch: string, fuzzy?: boolean): readonly string[];
}

/**
 * Fuzzy pinyin: readings with one commonly confused initial or final changed (zh/z, ch/c,
 * sh/s, l/n, -ng/-n), so 农名工 (nong ming gong) meets 农民工 (nong min gong).
 */
export function fuzzyReadings(r: string): string[] {
  // One confusion at a time: folding several at once makes 三 (san) meet 上 (shang).
  const out = new Set([r]);
  out.add(r.replace(/^([zcs])h/, '$1'));
  out.add(r.replace(/^l/, 'n'));
  out.add(r.replace(/ng$/, 'n'));
  return [...out];
}

const readingsCache = new Map<string, string[]>();
/** Toneless pinyin readings of one character (all of them, for polyphones). */
export function readings(ch: string): string[] {
  let r = readingsCache.get(ch);
  if (!r) {
    r = [...new Set(pinyin(ch, { toneType: 'none', type: 'array', multiple: true }).filter((p) => /^[a-zü]+$/.test(p)))];
    readingsCache.set(ch, r);
  }
  return r;
}

/** Group characters by reading (exact, or each {@link fuzzyReadings} variant): the homophone table for {@link Lexicon}. */
export function buildHomophoneTable(chars: Iterable<string>, fuzzy = false): Map<string, string[]> {
  const byReading = new Map<string, string[]>();
  for (const ch of chars) {
    for (const r of new Set(readings(ch).flatMap((x) => (fuzzy ? fuzzyReadings(x) : [x])))) {
      (byReading.get(r) ?? byReading.set(r, []).get(r)!).push(ch);
    }
  }
  return byReading;
}

const CJK_CHAR = /[\u3400-\u9fff]/;
/**
 * Grammatical characters, modal verbs and the commonest spoken verbs (来 去 着 过 说) are left
 * alone: the bigram statistics of a few thousand passages are too sparse to judge them (何时, 给与;
 * 不想跑 → 不见跑, 能去现场 → 能区现场), and a typo there barely changes what is searched.
 */
const FUNCTION_CHARS = new Set([...'的地得是在和与及或对从向给为被把将由于起几何那哪这其也都就还又已而并且之以所等中上下里一二三四五六七八九十百千万想要能会来去着过说不没多']);
const NUMERALS = new Set([...'一二三四五六七八九十百千万']);
/**
 * A grammatical neighbour (在报, 能补, 报不) mostly pairs across a word boundary, so it is no evidence
 * for a correction; numerals are (二维码).
 */
const grammatical = (ch: string) => CJK_CHAR.test(ch) && FUNCTION_CHARS.has(ch) && !NUMERALS.has(ch);
const evidence = (ch: string) => (CJK_CHAR.test(ch) && !grammatical(ch) ? ch : '');
/** How much more often the corrected bigrams must occur (log scale): e^3 ≈ 20×. */
const MIN_GAIN = 3;

/**
 * Pinyin-input typo correction with a character-bigram language model drawn from the index:
 * a character is replaced by a homophone when that makes its bigrams with its neighbours far
 * more frequent (设保 → 社保, 代款 → 贷款), and left alone otherwise.
 * @returns the corrected text and the corrections made, e.g. `[['设', '社']]`.
 */
export function correctTypos(text: string, lex: Lexicon): { text: string; corrections: Array<[string, string]> } {
  const chars = [...text];
  const corrections: Array<[string, string]> = [];
  const fit = (bigram: string) => Math.log(1 + lex.df(bigram));
  // Place names are proper nouns, not typos (大连 is not 大年, 大理市 not 大理时). Offsets: the
  // gazetteer counts UTF-16 units, `chars` code points; map one to the other.
  const placeChar = new Set<number>();
  const unitToChar: number[] = [];
  chars.forEach((ch, i) => {
    for (let k = 0; k < ch.length; k++) unitToChar.push(i);
  });
  for (const [a, b] of GAZETTEER.spans(text)) for (let u = a; u < b; u++) placeChar.add(unitToChar[u]!);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (!CJK_CHAR.test(c) || FUNCTION_CHARS.has(c) || placeChar.has(i)) continue;
    // A pairing with a grammatical neighbour the index knows well (这种) says the character is right.
    const before = i > 0 ? chars[i - 1]! : '';
    const after = i + 1 < chars.length ? chars[i + 1]! : '';
    if ((grammatical(before) && lex.df(before + c) >= 3) || (grammatical(after) && lex.df(c + after) >= 3)) continue;
    const prev = evidence(before);
    const next = evidence(after);
    if (!prev && !next) continue;
    const score = (x: string) => (prev ? fit(prev + x) : 0) + (next ? fit(x + next) : 0);
    const base = score(c);
    let best = c;
    let bestScore = base + MIN_GAIN;
    const formsWordWith = (h: string) => Boolean((prev && lex.isWord(prev + h)) || (next && lex.isWord(h + next)));
    const exact = new Set(lex.homophones(c));
    // Fuzzy homophones (zh/z, -ng/-n …) are riskier: only when they form a vocabulary word.
    for (const h of [...exact, ...lex.homophones(c, true)]) {
      if (h === c || (!exact.has(h) && !formsWordWith(h))) continue;
      const s = score(h);
      if (s > bestScore) {
        best = h;
        bestScore = s;
      }
    }
    if (best === c) continue;
    // Only a character that fits neither neighbour is suspect; at the edge of a phrase (one
    // neighbour) the correction must form a word of the curated vocabulary.
    const sides = [prev ? prev + c : '', next ? c + next : ''].filter(Boolean);
    const formsWord = formsWordWith(best);
    // Never trade a pairing the index knows for one it has never seen (银行 → 银信).
    if ((prev && lex.df(prev + c) > 0 && lex.df(prev + best) === 0) || (next && lex.df(c + next) > 0 && lex.df(best + next) === 0)) continue;
    if (formsWord) {
      if (!sides.some((b) => lex.df(b) <= 2)) continue;
    } else {
      // Without the vocabulary's support both neighbours must be wrong before and right after.
      const after = [prev ? prev + best : '', next ? best + next : ''].filter(Boolean);
      if (sides.length === 1 || !sides.every((b) => lex.df(b) <= 2) || !after.every((b) => lex.df(b) >= 3)) continue;
    }
    corrections.push([c, best]);
    chars[i] = best;
  }
  return { text: chars.join(''), corrections };
}

/**
 * Keywords of a long message: the rarest phrases that the index knows, in their original order,
 * adjacent bigrams merged back into words. Personal context (我家…, 去年…) is common language and
 * falls away by rarity.
 * @example extractKeywords('我老家是农村的，去年开始在城里打工，现在想问问社会保险断缴了怎么补', lex, idf) -> '社会保险 断缴 …'
 */
export function extractKeywords(text: string, lex: Lexicon, idfOf: (t: string) => number, max = 8): string {
  const parts = text.split(' ');
  const picked: Array<{ part: number; pos: number; term: string; w: number }> = [];
  parts.forEach((p, part) => {
    const chars = [...p];
    for (let pos = 0; pos + 1 < chars.length; pos++) {
      const t = chars[pos]! + chars[pos + 1]!;
      if (CJK_CHAR.test(t[0]!) && CJK_CHAR.test(t[1]!) && lex.df(t) >= 1) picked.push({ part, pos, term: t, w: idfOf(t) });
    }
    if (!CJK_CHAR.test(p) && p.length >= 2) picked.push({ part, pos: 0, term: p, w: idfOf(p) + 1 });
  });
  const top = [...picked].sort((a, b) => b.w - a.w).slice(0, max);
  top.sort((a, b) => a.part - b.part || a.pos - b.pos);
  const words: string[] = [];
  let last: (typeof top)[number] | undefined;
  for (const t of top) {
    if (last && last.part === t.part && t.pos === last.pos + 1 && words.length) words[words.length - 1] += t.term.slice(1);
    else if (!(last && last.part === t.part && t.pos === last.pos)) words.push(t.term);
    last = t;
  }
  return words.join(' ');
}

/**
 * What kind of answer a question word asks for, as words that mark such answers in documents
 * (多久 → 工作日, 时限). The question word itself is stripped as a filler, so without this the
 * answer sentence would be picked by topic alone.
 */
const ANSWER_CUES: Array<[RegExp, string[]]> = [
  [/多久|多长时间|多少天|几天|什么时候|啥时候|何时|时限|期限/, ['时限', '期限', '日内', '工作日', '之日起', '截至']],
  [/多少钱|收费|费用|花钱|要钱|交多少/, ['收费', '费用', '标准', '元']],
  [/带什么|带啥|什么材料|哪些材料|材料|证件/, ['材料', '证明', '身份证', '提供', '提交']],
  [/在哪|哪里|地点|地址|去哪/, ['地点', '地址', '窗口', '大厅']],
  [/电话|热线|联系方式|打给谁/, ['电话', '热线', '联系']],
  [/条件|资格|谁可以|符合/, ['条件', '符合', '对象']],
  [/怎么办理|如何办理|流程|步骤|手续|怎么申请|如何申请/, ['办理', '申请', '提交', '渠道', '方式']],
];
export const CUE_WEIGHT = 0.3;

/** Answer-type cue words for the question words in `text`. */
export function answerCues(text: string): string[] {
  return [...new Set(ANSWER_CUES.filter(([re]) => re.test(text)).flatMap(([, cues]) => cues))];
}

export interface UnderstoodQuery {
  /** Simplified, normalised, fillers stripped, typos corrected: what is searched. */
  normalized: string;
  /** `normalized` with colloquial terms rewritten to official ones. */
  rewritten: string;
  /** The phrases of `normalized` that the index knows; for long messages only the rarest 8 bigrams' phrases. */
  keywords: string;
  /** More than {@link LONG_QUERY_CHARS} characters after stripping. */
  long: boolean;
  /** Official terms added for colloquial ones. */
  expansions: Array<{ colloquial: string; official: string[] }>;
  corrections: Array<[string, string]>;
  /**
   * Policy vocabulary in the question (curated terms found in it, official terms for colloquial
   * ones): a candidate query that personal context cannot drown.
   */
  topic: string;
  /**
   * Scoring terms and their weights: terms of the question 1 (official vocabulary terms
   * {@link VOCAB_BOOST}; colloquial ones stay at 1), terms only from expansions
   * {@link EXPANSION_WEIGHT}, answer-type cues {@link CUE_WEIGHT}.
   */
  terms: Map<string, number>;
  /** The scoring terms that come from the question itself (for coverage). */
  original: Set<string>;
}

/** Messages longer than this (in characters after stripping) get a keyword query. */
export const LONG_QUERY_CHARS = 24;
/** Weight of an official term's bigrams added for a colloquial one: as much as a word of the question. */
export const EXPANSION_WEIGHT = 1;
export const VOCAB_BOOST = 1.5;

/** Curated vocabulary terms that occur in `text`, longest first, without overlaps. */
export function vocabularyIn(text: string, synonyms: SynonymSet): string[] {
  const out: string[] = [];
  let rest = text;
  for (const w of sortedTerms(synonyms).vocabulary) {
    if (!rest.includes(w)) continue;
    out.push(w);
    rest = rest.split(w).join(' ');
  }
  return out;
}

/** The whole query-understanding chain. */
export function understandQuery(raw: string, synonyms: SynonymSet, lex: Lexicon, idfOf: (t: string) => number): UnderstoodQuery {
  const simplified = normalizeWidth(toSimplified(raw));
  const stripped = stripFillers(simplified);
  // Colloquial terms are protected from typo correction (社保 must not become 设保-like guesses).
  const { text: normalized, corrections } = correctTypos(stripped, lex);
  const expansions = findExpansions(normalized, synonyms);
  // Colloquial phrases that hold a filler (报不了税, 丢了工作, 打工的) are looked up in the text
  // before stripping too: stripping cuts them apart.
  // The longer phrase wins, as in `findExpansions`: 交税的人 (纳税人) over the 交税 (纳税申报) that
  // stripping 的 left.
  const spoken: typeof expansions = [];
  for (const e of findExpansions(stripPunctuation(simplified), synonyms)) {
    if (normalized.includes(e.colloquial) || expansions.some((x) => x.colloquial.includes(e.colloquial))) continue;
    for (let i = expansions.length - 1; i >= 0; i--) if (e.colloquial.includes(expansions[i]!.colloquial)) expansions.splice(i, 1);
    spoken.push(e);
  }
  expansions.push(...spoken);
  const rewritten = [rewriteSynonyms(normalized, synonyms), ...spoken.map((e) => e.official[0])].join(' ');
  const compact = normalized.replace(/\s+/g, '');
  // Only phrases the index knows: a word it has never seen would make Meilisearch's
  // `frequency` strategy keep just the documents containing it (none, or noise).
  const long = [...compact].length > LONG_QUERY_CHARS;
  const keywords = extractKeywords(normalized, lex, idfOf, long ? 8 : 64);
  const weights = new Map<string, number>();
  for (const part of normalized.split(' ')) {
    const ts = terms(part);
    ts.forEach((t, i) => {
      // A bigram the index has never seen next to ones it has straddles a word boundary
      // (申请|政府 → 请政) or picks up a function character (公开|要): noise, not an unknown
      // word. Runs of unknown bigrams (护照, 天气) are kept: they are what we do not know.
      const known = (j: number) => j >= 0 && j < ts.length && lex.df(ts[j]!) > 0;
      const isolated = lex.df(t) === 0 && ts.length > 1 && (i === 0 || known(i - 1)) && (i === ts.length - 1 || known(i + 1));
      if (!isolated) weights.set(t, 1);
    });
  }
  const original = new Set(weights.keys());
  const vocab = vocabularyIn(normalized, synonyms);
  // Personal context (生意, 小厂, 师傅) is rare in policy text and so gets a high IDF; the
  // policy vocabulary of the question is lifted so it is not outweighed. Official terms only: a
  // colloquial word (小厂, 坐车, 门面房) is itself rare in policy text, so lifting it too let the odd
  // document that uses it outrank the ones that say it officially (docs/benchmarks.md, "Session
  // 14, colloquial").
  for (const w of vocab) for (const t of terms(w)) if (weights.has(t) && !synonyms.expansions[w]) weights.set(t, VOCAB_BOOST);
  for (const e of expansions) for (const o of e.official) for (const t of terms(o)) if (!weights.has(t)) weights.set(t, EXPANSION_WEIGHT);
  for (const c of answerCues(simplified)) for (const t of terms(c)) if (!weights.has(t)) weights.set(t, CUE_WEIGHT);
  const official = expansions.flatMap((e) => e.official.slice(0, 1));
  const topic = [...new Set([...vocab.filter((w) => !synonyms.expansions[w]), ...official])].join(' ');
  return { normalized, rewritten, keywords, long, topic, expansions, corrections, terms: weights, original };
}
