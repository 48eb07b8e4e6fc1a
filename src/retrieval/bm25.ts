/**
 * Okapi BM25 over character bigrams (CJK) and whole words (Latin letters, digits). Chinese has no
 * spaces and Meilisearch's segmenter splits some words wrongly; overlapping character bigrams are
 * the standard segmentation-free representation for Chinese retrieval and need no dictionary.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * One string object per distinct term. The retriever keeps term counts for every passage it has
 * scored (thousands of passages, hundreds of terms each); without this each passage held its own
 * copy of "社保", and those ~2 million small strings were most of what every full garbage
 * collection had to mark (docs/benchmarks.md, Load). Bounded: past `INTERN_MAX` distinct terms
 * (say, from a flood of odd queries) new terms are simply not shared.
 */
const INTERN_MAX = 300_000;
const interned = new Map<string, string>();
function intern(t: string): string {
  const shared = interned.get(t);
  if (shared !== undefined) return shared;
  if (interned.size < INTERN_MAX) interned.set(t, t);
  return t;
}

/**
 * Terms of a text: every pair of adjacent CJK characters, a lone CJK character between
 * non-CJK characters, and lower-cased runs of Latin letters/digits.
 * @example terms('社保缴费 2020年') -> ['社保', '保缴', '缴费', '2020', '年']
 */
export function terms(text: string): string[] {
  const out: string[] = [];
  let run = '';
  let word = '';
  const flushRun = () => {
    if (run.length === 1) out.push(intern(run));
    else for (let i = 0; i < run.length - 1; i++) out.push(intern(run.slice(i, i + 2)));
    run = '';
  };
  const flushWord = () => {
    if (word) out.push(word.length <= 16 ? intern(word.toLowerCase()) : word.toLowerCase());
    word = '';
  };
  for (const ch of text) {
    if (CJK.test(ch)) {
      flushWord();
      run += ch;
    } else if (/[A-Za-z0-9]/.test(ch)) {
      flushRun();
      word += ch;
    } else {
      flushRun();
      flushWord();
    }
  }
  flushRun();
  flushWord();
  return out;
}

/** Corpus statistics BM25 needs: document frequency per term, corpus size, mean length. */
export interface TermStats {
  /** Number of passages. */
  n: number;
  /** Mean passage length in terms. */
  avgLen: number;
  /** Document frequency of each term seen in at least `minDf` passages. */
  df: Map<string, number>;
}

/** Count document frequencies over texts (one entry per passage). */
export function computeStats(texts: Iterable<string>): TermStats {
  const df = new Map<string, number>();
  let n = 0;
  let total = 0;
  for (const t of texts) {
    const ts = terms(t);
    n++;
    total += ts.length;
    for (const term of new Set(ts)) df.set(term, (df.get(term) ?? 0) + 1);
  }
  return { n, avgLen: n ? total / n : 0, df };
}

/** Robertson–Spärck Jones IDF, floored at a small positive value so common terms never subtract. */
export function idf(stats: TermStats, term: string): number {
  const df = stats.df.get(term) ?? 0;
  return Math.max(0.01, Math.log(1 + (stats.n - df + 0.5) / (df + 0.5)));
}

export interface Bm25Params {
  k1: number;
  b: number;
}
export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

/** A query prepared once: unique terms with their IDF weights (repeated terms count once). */
export interface WeightedQuery {
  terms: Map<string, number>;
  /** Sum of the weights: the score of a perfect match with tf saturation at 1. */
  maxWeight: number;
}

export function weightQuery(stats: TermStats, queryTerms: string[], weightOf?: (term: string) => number): WeightedQuery {
  const m = new Map<string, number>();
  for (const t of queryTerms) if (!m.has(t)) m.set(t, idf(stats, t) * (weightOf?.(t) ?? 1));
  let maxWeight = 0;
  for (const w of m.values()) maxWeight += w;
  return { terms: m, maxWeight };
}

/** BM25 score of one text against a prepared query. */
export function bm25(q: WeightedQuery, textTerms: string[], stats: TermStats, p: Bm25Params = DEFAULT_BM25): number {
  const tf = new Map<string, number>();
  for (const t of textTerms) if (q.terms.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  const norm = p.k1 * (1 - p.b + (p.b * textTerms.length) / (stats.avgLen || 1));
  let score = 0;
  for (const [t, f] of tf) score += (q.terms.get(t)! * (f * (p.k1 + 1))) / (f + norm);
  return score;
}
