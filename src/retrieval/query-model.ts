/**
 * Everything query understanding and re-ranking know about the index: term statistics (for
 * BM25 and the typo language model) and the synonym set. Computed when the index is built,
 * stored beside it, loaded once per process by the retriever — so a query never touches the
 * corpus, and the model always matches the index it was built with.
 */
import { computeStats, idf, terms, type TermStats } from './bm25.js';
import { buildHomophoneTable, type Lexicon } from './query.js';
import { EMPTY_SYNONYMS, type SynonymSet } from './synonyms.js';
import type { PassageDocument } from './types.js';

export interface QueryModel {
  stats: TermStats;
  synonyms: SynonymSet;
  lexicon: Lexicon;
  idf(term: string): number;
}

/** The text of a passage that BM25 scores: title, document lead, heading path and body. */
export function scoringText(p: Pick<PassageDocument, 'title' | 'headings' | 'text' | 'context'>): string {
  return `${p.title}\n${p.context ?? ''}\n${p.headings.join('\n')}\n${p.text}`;
}

/** Pseudo-frequency of bigrams inside vocabulary terms of the synonym file. */
const VOCAB_DF = 50;

export function createQueryModel(stats: TermStats, synonyms: SynonymSet): QueryModel {
  const vocabDf = new Map<string, number>();
  for (const w of synonyms.vocabulary) for (const t of terms(w)) vocabDf.set(t, VOCAB_DF);
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
  return { stats, synonyms, lexicon, idf: (t) => idf(stats, t) };
}

/** Serialised form kept in the meta index: compact text, not one field per term. */
export interface StoredModel {
  v: 1;
  n: number;
  avgLen: number;
  /** `term<TAB>df` lines. */
  df: string;
  synonyms: SynonymSet;
}

export function modelFromPassages(passages: Array<Pick<PassageDocument, 'title' | 'headings' | 'text' | 'context'>>, synonyms: SynonymSet): StoredModel {
  const stats = computeStats(passages.map(scoringText));
  let df = '';
  for (const [t, c] of stats.df) df += `${t}\t${c}\n`;
  return { v: 1, n: stats.n, avgLen: stats.avgLen, df, synonyms };
}

export function loadStoredModel(s: StoredModel | undefined): QueryModel {
  if (!s || s.v !== 1) return createQueryModel({ n: 0, avgLen: 0, df: new Map() }, EMPTY_SYNONYMS);
  const df = new Map<string, number>();
  for (const line of s.df.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) df.set(line.slice(0, tab), Number(line.slice(tab + 1)));
  }
  return createQueryModel({ n: s.n, avgLen: s.avgLen, df }, s.synonyms ?? EMPTY_SYNONYMS);
}
