import type { Meilisearch } from 'meilisearch';
import { splitSentences } from '../knowledge/chunk.js';
import { buildFilter } from './filters.js';
import { QUESTION_STOP_WORDS } from './index-settings.js';
import { SearchUnavailableError, type PassageDocument, type RetrievalResult, type Retriever } from './types.js';

/** Minimal normalisation: strip punctuation and a trailing question word. */
export function normalizeQuery(q: string): string {
  let s = q.replace(/[\s\p{P}\p{S}]+/gu, ' ').trim();
  for (const w of QUESTION_STOP_WORDS) if (s.endsWith(w)) s = s.slice(0, -w.length).trim();
  return s;
}

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  const t = s.replace(/[\s\p{P}]+/gu, '');
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** The sentence of `text` sharing the most character bigrams with the query. */
export function bestSentence(text: string, query: string): string {
  const q = bigrams(query);
  let best = text;
  let bestScore = -1;
  for (const s of splitSentences(text)) {
    let score = 0;
    for (const g of bigrams(s)) if (q.has(g)) score++;
    if (score > bestScore) {
      bestScore = score;
      best = s;
    }
  }
  return best;
}

export function createMeiliRetriever(client: Meilisearch, indexName: string): Retriever {
  return {
    async search(query, opts = {}) {
      const started = Date.now();
      const normalized = normalizeQuery(query);
      if (!normalized) return { normalized, hits: [], confidence: 0, tookMs: 0 };
      let res;
      try {
        res = await client.index<PassageDocument>(indexName).search(normalized, {
          limit: opts.limit ?? 5,
          filter: buildFilter(opts.filters),
          showRankingScore: true,
          matchingStrategy: 'frequency',
        });
      } catch (err) {
        throw new SearchUnavailableError(err);
      }
      const hits = res.hits.map((h) => ({
        passage: h,
        score: h._rankingScore ?? 0,
        answer: bestSentence(h.text, normalized),
      }));
      return { normalized, hits, confidence: hits[0]?.score ?? 0, tookMs: Date.now() - started } satisfies RetrievalResult;
    },
  };
}
