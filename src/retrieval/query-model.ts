/**
 * Everything query understanding and re-ranking know about the index: term statistics (for
 * BM25 and the typo language model) and the synonym set. Computed when the index is built,
 * stored beside it, loaded once per process by the retriever — so a query never touches the
 * corpus, and the model always matches the index it was built with.
 */
import { computeStats, DEFAULT_BM25, idf, terms, type TermStats } from './bm25.js';
import { buildHomophoneTable, type Lexicon } from './query.js';
import { EMPTY_SYNONYMS, type SynonymSet } from './synonyms.js';
import type { PassageDocument } from './types.js';

export interface QueryModel {
  stats: TermStats;
  synonyms: SynonymSet;
  lexicon: Lexicon;
  idf(term: string): number;
  /** Whole-document statistics (document-level BM25), or undefined for an old stored model. */
  docs?: DocModel;
}

/**
 * Whole-document term counts, kept as one compact line per document and parsed on first use
 * (most queries touch a few dozen documents), so memory stays close to the serialised size.
 */
export interface DocModel {
  stats: TermStats;
  idf(term: string): number;
  /** Term counts and length (in terms) of a document, or undefined when unknown. */
  counts(docId: string): { tf: Map<string, number>; len: number } | undefined;
  /**
   * Okapi BM25 of every document for weighted query terms (weights already include IDF), in one
   * pass over the terms' postings; read it with `top` and `of` as often as needed.
   */
  score(weights: Iterable<readonly [string, number]>): DocScores;
  /** `score(weights).top(k)`. */
  top(weights: Iterable<readonly [string, number]>, k: number): Array<[string, number]>;
  /** The given documents' `score(weights).of(id)` (0 for a document sharing no term, absent if unknown). */
  scores(weights: Iterable<readonly [string, number]>, docIds: Iterable<string>): Map<string, number>;
  /** Whether the document contains the term. */
  has(docId: string, term: string): boolean;
}

/** Whole-document BM25 of every document for one query. */
export interface DocScores {
  /** The best `k` documents sharing a term with the query, best first (ties by id). */
  top(k: number): Array<[string, number]>;
  /** A document's score, or undefined when the model does not know it. */
  of(docId: string): number | undefined;
}

/** The text of a passage that BM25 scores: title, document lead, heading path and body. */
export function scoringText(p: Pick<PassageDocument, 'title' | 'headings' | 'text' | 'context'>): string {
  return `${p.title}\n${p.context ?? ''}\n${p.headings.join('\n')}\n${p.text}`;
}

/** Pseudo-frequency of the word bigrams of the synonym file's vocabulary (`vocabularyBigrams`). */
const VOCAB_DF = 50;

/**
 * The bigrams of the synonym file that are words or inside one, for typo correction and the
 * bigram language model: official terms (compounds of two-character words: of 办理时限 办理 and 时限,
 * not the 理时 that spans the two; every bigram of a three-character term, 农民 and 民工) and the
 * two-character colloquial words (社保, 个税). Longer colloquial entries are spoken phrases (大年三十,
 * 多久能办) whose inner bigrams would vouch for typos that are none: 大连 → 大年, 能帮着 → 能办着.
 */
export function vocabularyBigrams(synonyms: SynonymSet): Set<string> {
  const out = new Set<string>();
  const add = (w: string) => {
    if (!/^[\u3400-\u9fff]+$/.test(w)) {
      for (const t of terms(w)) out.add(t);
      return;
    }
    const chars = [...w];
    if (chars.length <= 3) for (const t of terms(w)) out.add(t);
    else {
      for (let i = 0; i + 1 < chars.length; i += 2) out.add(chars[i]! + chars[i + 1]!);
      out.add(chars.at(-2)! + chars.at(-1)!);
    }
  };
  for (const w of synonyms.vocabulary) {
    if (!synonyms.expansions[w]) add(w);
    else if ([...w].length === 2) add(w);
  }
  return out;
}

export function createQueryModel(stats: TermStats, synonyms: SynonymSet, docs?: DocModel): QueryModel {
  const vocabDf = new Map<string, number>();
  for (const t of vocabularyBigrams(synonyms)) vocabDf.set(t, VOCAB_DF);
  const chars = new Set<string>();
  for (const t of stats.df.keys()) if (t.length === 2) for (const ch of t) chars.add(ch);
  for (const w of synonyms.vocabulary) for (const ch of w) chars.add(ch);
  const cjk = [...chars].filter((c) => /[\u3400-\u9fff]/.test(c));
  const tables: Partial<Record<'exact' | 'fuzzy', Map<string, string[]>>> = {};
  const homophoneCache = new Map<string, string[]>();
  const lexicon: Lexicon = {
    df: (b) => (stats.df.get(b) ?? 0) + (vocabDf.get(b) ?? 0),
    isWord: (b) => vocabDf.has(b),
    homophones(ch, fuzzy = false) {
      const key = `${fuzzy ? 'f' : 'e'}${ch}`;
      let h = homophoneCache.get(key);
      if (!h) {
        // Built on first use: a few thousand pinyin look-ups, once per process.
        const kind = fuzzy ? 'fuzzy' : 'exact';
        const table = (tables[kind] ??= buildHomophoneTable(cjk, fuzzy));
        const set = new Set<string>();
        for (const r of buildHomophoneTable([ch], fuzzy).keys()) for (const c of table.get(r) ?? []) set.add(c);
        h = [...set];
        homophoneCache.set(key, h);
      }
      return h;
    },
  };
  return { stats, synonyms, lexicon, idf: (t) => idf(stats, t), ...(docs ? { docs } : {}) };
}

/** The text of a whole document as BM25 sees it: title and the body of every passage once. */
function documentTexts(passages: Array<Pick<PassageDocument, 'docId' | 'title' | 'text'>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of passages) out.set(p.docId, out.has(p.docId) ? `${out.get(p.docId)}\n${p.text}` : `${p.title}\n${p.text}`);
  return out;
}

/** Parse the stored document lines (`docId<TAB>len<TAB>term tf term tf …`) lazily, with a bounded cache. */
export function createDocModel(stats: TermStats, lines: Map<string, string>, maxCached = 2000): DocModel {
  const cache = new Map<string, { tf: Map<string, number>; len: number }>();
  // Postings built on first use, in one pass over the lines, as flat typed arrays (a few objects
  // instead of one per posting: a large heap of small objects costs every garbage collection).
  let postings: Postings | undefined;
  const ready = () => (postings ??= buildPostings(lines));

  function bm25All(weights: Iterable<readonly [string, number]>): Float64Array {
    const { lens, start, doc, tf, termIndex } = ready();
    const { k1, b } = DEFAULT_BM25;
    const avg = stats.avgLen || 1;
    const score = new Float64Array(lens.length);
    for (const [t, w] of weights) {
      const ti = termIndex.get(t);
      if (ti === undefined) continue;
      for (let j = start[ti]!; j < start[ti + 1]!; j++) {
        const i = doc[j]!;
        const f = tf[j]!;
        score[i]! += (w * f * (k1 + 1)) / (f + k1 * (1 - b + (b * lens[i]!) / avg));
      }
    }
    return score;
  }

  function scoreAll(weights: Iterable<readonly [string, number]>): DocScores {
    const score = bm25All(weights);
    const { ids, docIndex } = ready();
    return {
      top(k) {
        if (k <= 0) return [];
        const out: Array<[string, number]> = [];
        for (let i = 0; i < ids.length; i++) if (score[i]! > 0) out.push([ids[i]!, score[i]!]);
        return out.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, k);
      },
      of(docId) {
        const i = docIndex.get(docId);
        return i === undefined ? undefined : score[i]!;
      },
    };
  }

  return {
    stats,
    idf: (t) => idf(stats, t),
    score: scoreAll,
    top: (weights, k) => scoreAll(weights).top(k),
    scores(weights, docIds) {
      const all = scoreAll(weights);
      const out = new Map<string, number>();
      for (const id of docIds) {
        const v = all.of(id);
        if (v !== undefined) out.set(id, v);
      }
      return out;
    },
    has(docId, term) {
      const { docIndex, termIndex, start, doc } = ready();
      const i = docIndex.get(docId);
      const ti = termIndex.get(term);
      if (i === undefined || ti === undefined) return false;
      // Postings of a term are in document order: binary search.
      let lo = start[ti]!;
      let hi = start[ti + 1]! - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (doc[mid] === i) return true;
        if (doc[mid]! < i) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    },
    counts(docId) {
      let e = cache.get(docId);
      if (e) return e;
      const line = lines.get(docId);
      if (line === undefined) return undefined;
      const tab = line.indexOf('\t');
      const parts = line.slice(tab + 1).split(' ');
      const tf = new Map<string, number>();
      for (let i = 0; i + 1 < parts.length; i += 2) tf.set(parts[i]!, Number(parts[i + 1]));
      e = { tf, len: Number(line.slice(0, tab)) };
      if (cache.size >= maxCached) cache.clear();
      cache.set(docId, e);
      return e;
    },
  };
}

interface Postings {
  ids: string[];
  docIndex: Map<string, number>;
  lens: Float64Array;
  termIndex: Map<string, number>;
  /** Postings of term t: positions start[t] .. start[t + 1] - 1 of `doc` and `tf`. */
  start: Uint32Array;
  doc: Uint32Array;
  tf: Float32Array;
}

function buildPostings(lines: Map<string, string>): Postings {
  const ids: string[] = [];
  const lens: number[] = [];
  const termIndex = new Map<string, number>();
  const df: number[] = [];
  const rows: string[][] = [];
  for (const [docId, line] of lines) {
    const tab = line.indexOf('\t');
    ids.push(docId);
    lens.push(Number(line.slice(0, tab)));
    const parts = line.slice(tab + 1).split(' ');
    rows.push(parts);
    for (let j = 0; j + 1 < parts.length; j += 2) {
      let ti = termIndex.get(parts[j]!);
      if (ti === undefined) termIndex.set(parts[j]!, (ti = df.length)), df.push(0);
      df[ti]!++;
    }
  }
  const start = new Uint32Array(df.length + 1);
  for (let t = 0; t < df.length; t++) start[t + 1] = start[t]! + df[t]!;
  const fill = start.slice(0, df.length);
  const doc = new Uint32Array(start[df.length]!);
  const tf = new Float32Array(start[df.length]!);
  rows.forEach((parts, i) => {
    for (let j = 0; j + 1 < parts.length; j += 2) {
      const ti = termIndex.get(parts[j]!)!;
      const at = fill[ti]!++;
      doc[at] = i;
      tf[at] = Number(parts[j + 1]);
    }
  });
  return { ids, docIndex: new Map(ids.map((id, i) => [id, i])), lens: Float64Array.from(lens), termIndex, start, doc, tf };
}

/** Serialised form kept in the meta index: compact text, not one field per term. */
export interface StoredModel {
  v: 1;
  n: number;
  avgLen: number;
  /** `term<TAB>df` lines. */
  df: string;
  synonyms: SynonymSet;
  /** Whole-document statistics: count, mean length, `term<TAB>df` lines, one line per document. */
  docs?: { n: number; avgLen: number; df: string; lines: string };
}

function dfLines(df: Map<string, number>): string {
  let out = '';
  for (const [t, c] of df) out += `${t}\t${c}\n`;
  return out;
}

function parseDf(text: string): Map<string, number> {
  const df = new Map<string, number>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) df.set(line.slice(0, tab), Number(line.slice(tab + 1)));
  }
  return df;
}

export function modelFromPassages(
  passages: Array<Pick<PassageDocument, 'docId' | 'title' | 'headings' | 'text' | 'context'>>,
  synonyms: SynonymSet,
): StoredModel {
  const stats = computeStats(passages.map(scoringText));
  const docTexts = documentTexts(passages);
  const docStats = computeStats(docTexts.values());
  const lines: string[] = [];
  for (const [docId, text] of docTexts) {
    const ts = terms(text);
    const tf = new Map<string, number>();
    for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
    let row = `${docId}\t${ts.length}\t`;
    for (const [t, c] of tf) row += `${t} ${c} `;
    lines.push(row.trimEnd());
  }
  return {
    v: 1,
    n: stats.n,
    avgLen: stats.avgLen,
    df: dfLines(stats.df),
    synonyms,
    docs: { n: docStats.n, avgLen: docStats.avgLen, df: dfLines(docStats.df), lines: lines.join('\n') },
  };
}

export function loadStoredModel(s: StoredModel | undefined): QueryModel {
  if (!s || s.v !== 1) return createQueryModel({ n: 0, avgLen: 0, df: new Map() }, EMPTY_SYNONYMS);
  let docs: DocModel | undefined;
  if (s.docs) {
    const lines = new Map<string, string>();
    for (const line of s.docs.lines.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) lines.set(line.slice(0, tab), line.slice(tab + 1));
    }
    docs = createDocModel({ n: s.docs.n, avgLen: s.docs.avgLen, df: parseDf(s.docs.df) }, lines);
  }
  return createQueryModel({ n: s.n, avgLen: s.avgLen, df: parseDf(s.df) }, s.synonyms ?? EMPTY_SYNONYMS, docs);
}
