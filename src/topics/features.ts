/**
 * Text features for grouping Chinese questions, without a word segmenter:
 * - weighted character bigrams (the standard unit for Chinese retrieval; robust to the unknown
 *   names — estates, companies, roads — that hot topics are about), TF-IDF weighted with
 *   document frequencies learnt incrementally;
 * - MinHash signatures over character trigram shingles, banded for LSH, to catch reposts and
 *   near-duplicates (estimated Jaccard similarity);
 * Pure functions; Web-compatible.
 */

/** Generic bigrams of hotline messages that say nothing about the topic. */
const STOP_BIGRAMS = new Set(
  (
    '问题 反映 投诉 举报 建议 咨询 请问 你好 您好 尊敬 领导 书记 市长 局长 政府 部门 相关 有关 希望 要求 情况 ' +
    '我们 你们 他们 本人 自己 现在 目前 已经 没有 什么 怎么 如何 为何 为什 什么 是否 能否 可以 能够 应该 需要 ' +
    '一个 这个 那个 这些 那些 这样 那样 因为 所以 但是 而且 如果 还是 或者 以及 对于 关于 进行 工作 解决 处理 ' +
    '严重 影响 相关 单位 个人 时候 时间 多少 一下 一直 不能 不是 就是 也是 都是 还有 我是 我们 谢谢 感谢 麻烦 ' +
    '帮忙 帮助 市民 群众 居民 老百 百姓 同志 此事 此事 今年 去年 明年 年的 的问 的情 了一 的是 是什 的时 在的 ' +
    '到底 为啥 请求 恳请 呼吁 关注 重视 尽快 及时 落实 回复 答复 一样 特别 非常 十分 很多 大家 全部 一些 之前 以后 以前'
  ).split(/\s+/),
);


export interface TextFeatures {
  /** Term -> raw weight (title bigrams count double). */
  counts: Map<string, number>;
  /** Normalised text used for shingling. */
  flat: string;
}

/** NFKC (full-width -> ASCII), lower case, placeholders like [手机号] removed. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\[[^\]]{1,8}\]/g, ' ');
}

const UNIT = /[\u3400-\u9fff]|[a-z0-9]+/g;
const RUN_SPLIT = /[^\u3400-\u9fffa-z0-9]+/;

/** Units of a run: single Han characters and whole ASCII alphanumeric tokens ("58", "k9"). */
export function runsOf(text: string): string[][] {
  return normalize(text)
    .split(RUN_SPLIT)
    .filter(Boolean)
    .map((r) => r.match(UNIT) ?? [])
    .filter((u) => u.length > 0);
}

const isHan = (c: number) => c >= 0x3400 && c <= 0x9fff;
const isAlnum = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
/**
 * Function characters — particles, interrogatives, pronouns, 的/了/是 — carry the question's
 * form, not its subject: any bigram containing one ("么申" in 怎么申请, "的问") is skipped, so
 * "怎么申请A" and "怎么申请B" are not alike merely for being questions.
 */
const FUNCTION_CODES = new Set([...'的了吗呢吧啊么呀嘛怎哪啥您你我他她它是'].map((ch) => ch.charCodeAt(0)));

/**
 * Bigrams of units, straight from the character codes (no intermediate arrays: this runs for
 * every message). Same units as {@link runsOf}; a unit containing a function character never pairs.
 */
function addBigrams(counts: Map<string, number>, text: string, weight: number) {
  const s = normalize(text);
  let prev = '';
  let prevFunction = false;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    let unit: string;
    if (isHan(c)) {
      unit = s[i]!;
      i++;
    } else if (isAlnum(c)) {
      let j = i + 1;
      while (j < s.length && isAlnum(s.charCodeAt(j))) j++;
      unit = s.slice(i, j);
      i = j;
    } else {
      prev = '';
      i++;
      continue;
    }
    const fn = unit.length === 1 && FUNCTION_CODES.has(c);
    if (prev && !fn && !prevFunction) {
      const g = prev + unit;
      if (!STOP_BIGRAMS.has(g)) counts.set(g, (counts.get(g) ?? 0) + weight);
    }
    prev = unit;
    prevFunction = fn;
  }
}

/** Body characters considered: the opening says what it is about; the rest adds noise. */
export const BODY_CHARS = 120;

/** Bigram counts of a message; the title (when there is one) weighs double. */
export function textFeatures(text: string, title?: string): TextFeatures {
  const counts = new Map<string, number>();
  const body = text.slice(0, BODY_CHARS);
  if (title) addBigrams(counts, title, 2);
  addBigrams(counts, body, 1);
  const flat = normalize(`${title ?? ''}${body}`).replace(/[^\u3400-\u9fffa-z0-9]+/g, '');
  return { counts, flat };
}

/** Smoothed inverse document frequency from incremental counts. */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n + 1) / (df + 1));
}

/** Terms kept per message vector. */
export const VECTOR_TERMS = 16;

/**
 * Unit-length TF-IDF vector of the strongest terms (sublinear tf).
 * @example vectorize(textFeatures('公积金提取').counts, () => 1)
 */
export function vectorize(counts: Map<string, number>, idfOf: (term: string) => number, keep = VECTOR_TERMS): Array<[string, number]> {
  const weighted: Array<[string, number]> = [];
  for (const [t, c] of counts) {
    const w = (1 + Math.log(c)) * idfOf(t);
    if (w > 0) weighted.push([t, w]);
  }
  weighted.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = weighted.slice(0, keep);
  const norm = Math.sqrt(top.reduce((s, [, w]) => s + w * w, 0)) || 1;
  return top.map(([t, w]) => [t, w / norm]);
}

// ---- MinHash / LSH -------------------------------------------------------------------------

export const MINHASH_SIZE = 64;
export const LSH_BANDS = 16;
const ROWS = MINHASH_SIZE / LSH_BANDS;

/** FNV-1a over UTF-16 code units. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3 finaliser: a good 32-bit mixer; with per-function seeds it gives independent hashes. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Array.from({ length: MINHASH_SIZE }, (_, i) => fmix(0x9e3779b9 * (i + 1)));

/**
 * MinHash signature over character trigrams: 64 independent hash functions (the seeded
 * murmur3 finaliser), each keeping its minimum, so each position agrees between two texts with
 * probability equal to their Jaccard similarity. (One-permutation hashing was tried: its
 * densification makes neighbouring bins agree together on short questions, which LSH bands
 * then mistake for near-duplicates.) Fewer than 3 characters: the text itself is the shingle.
 */
export function minhash(flat: string): Uint32Array {
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  const shingles = new Set<number>();
  if (flat.length < 3) {
    if (flat) shingles.add(fnv1a(flat));
  } else {
    for (let i = 0; i + 3 <= flat.length; i++) {
      // Trigram hash of three UTF-16 units, FNV-style, without allocating substrings.
      let h = 0x811c9dc5;
      h = Math.imul(h ^ flat.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ flat.charCodeAt(i + 1), 0x01000193);
      h = Math.imul(h ^ flat.charCodeAt(i + 2), 0x01000193);
      shingles.add(h >>> 0);
    }
  }
  for (const x of shingles) {
    for (let k = 0; k < MINHASH_SIZE; k++) {
      const h = fmix(x ^ SEEDS[k]!);
      if (h < sig[k]!) sig[k] = h;
    }
  }
  return sig;
}

/** LSH band keys: `band:hash` of each band of rows. Two texts share a band with prob. J^rows. */
export function lshBands(sig: Uint32Array): string[] {
  const out: string[] = [];
  for (let b = 0; b < LSH_BANDS; b++) {
    let h = 0x811c9dc5;
    for (let r = 0; r < ROWS; r++) {
      h ^= sig[b * ROWS + r]!;
      h = fmix(Math.imul(h, 0x01000193));
    }
    out.push(`${b}:${h.toString(36)}`);
  }
  return out;
}

/** A stable 64-bit-ish hex id from a string (two FNV variants), for log and topic ids. */
export function stableId(s: string): string {
  return fnv1a(s).toString(16).padStart(8, '0') + fnv1a(s, 0x050c5d1f).toString(16).padStart(8, '0');
}
