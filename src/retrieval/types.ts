import type { Passage } from '../knowledge/schema.js';

/** A passage as stored in Meilisearch (the heading path flattened for search). */
export interface PassageDocument extends Passage {
  headingsText: string;
  /** Other documents holding this very passage (found when the index is built, `reposts.ts`). */
  reposts?: RepostRef[];
}

/** A document that holds a passage too: what a hit names in `alsoIn`. */
export type RepostRef = Pick<Passage, 'docId' | 'title' | 'docNo' | 'issuer' | 'published'>;

export interface SearchFilters {
  type?: Array<Passage['type']>;
  departments?: string[];
  status?: Passage['status'];
  /** YYYY-MM-DD, inclusive. */
  publishedFrom?: string;
  publishedTo?: string;
  docId?: string;
}

export interface RetrievalHit {
  passage: Passage;
  /** Final score after re-ranking, higher is better, roughly 0..1. */
  score: number;
  /** The sentence(s) of the passage that best answer the question. */
  answer: string;
  /** Phrases of the (normalised) query found in the passage, for highlighting. */
  matched?: string[];
  /** 0..1: IDF-weighted share of the question's terms the passage contains. */
  coverage?: number;
  /**
   * Other documents holding this very passage (reposts of one notice by several sites or
   * departments): shown once, the first document cited, these named beside it.
   */
  alsoIn?: RepostRef[];
}

export interface RetrievalResult {
  /** The query after normalisation (what was actually searched). */
  normalized: string;
  hits: RetrievalHit[];
  /** 0..1: how sure we are the first hit answers the question. */
  confidence: number;
  /**
   * 0..1: share of the question's policy vocabulary (synonym-file terms, official terms of its
   * colloquial words) the first hit holds; absent when the question has none or nothing was found.
   */
  topicCoverage?: number;
  tookMs: number;
  /** How the query was understood (for the agent panel and debugging). */
  understanding?: {
    rewritten: string;
    keywords: string;
    topic: string;
    corrections: Array<[string, string]>;
    expansions: Array<{ colloquial: string; official: string[] }>;
    /** Whether Meilisearch's word search ran besides the document candidates. */
    wordSearch?: boolean;
  };
}

/** The retrieval port the dialogue engine, panel and eval use. */
export interface Retriever {
  /**
   * Ranked passages for a question, at most `perDoc` (default 1) per document — except that with
   * `perDoc` 1 a clear first document may also show its close second passage third
   * (`withSecondPassage`). Throws {@link SearchUnavailableError} when the search engine cannot be
   * reached.
   */
  search(query: string, opts?: { limit?: number; filters?: SearchFilters; perDoc?: number }): Promise<RetrievalResult>;
}

/** Thrown when the search engine cannot be reached (as opposed to "found nothing"). */
export class SearchUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('search engine unavailable', { cause });
    this.name = 'SearchUnavailableError';
  }
}
