/**
 * Which passage of a document to show. Documents are ranked by their best passage's full score
 * (title, lead and document statistics included); within a document the title and lead match
 * every passage alike, so the choice rests on the passage's *own* text (body and headings).
 */
import { splitSentences } from '../knowledge/chunk.js';
import { DEFAULT_BM25, terms } from './bm25.js';
import type { PassageDocument } from './types.js';

/** Characters of a document's start that every later passage carries as `context` (src/knowledge/chunk.ts). */
const LEAD_CHARS = 150;

/**
 * In a passage's own text, a question term that the document's title or lead already holds counts
 * this much: it tells which document, not which passage (docs/benchmarks.md, "session 14").
 */
export const SHARED_TERM_WEIGHT = 0.3;
/** Weight of the best sentence's share of the question in the choice of passage (docs/benchmarks.md, "session 14"). */
export const SENTENCE_WEIGHT = 1;

/** A passage's own text as the choice of passage needs it: cached with the passage's term counts. */
export interface OwnText {
  /** Term counts of headings (× `headingsWeight`) and body. */
  tf: Map<string, number>;
  len: number;
  /** Terms of the title and the document's lead: what every passage of the document shares. */
  shared: Set<string>;
  /** The terms of each sentence of the body. */
  sentences: Array<Set<string>>;
}

/**
 * The own text of a passage. The lead is the `context` a later passage carries; the first passage
 * has none, its own text *is* the lead, whose terms are then just as shared — without this the
 * document's opening paragraph wins on words that every passage of the document has.
 */
export function ownText(p: Pick<PassageDocument, 'title' | 'headings' | 'text' | 'context' | 'order'>, headingsWeight = 1): OwnText {
  const tf = new Map<string, number>();
  let len = 0;
  const add = (text: string, w: number) => {
    for (const t of terms(text)) {
      tf.set(t, (tf.get(t) ?? 0) + w);
      len += w;
    }
  };
  add(p.headings.join('\n'), headingsWeight);
  add(p.text, 1);
  const lead = p.context || (p.order === 0 ? p.text.replace(/\s+/g, '').slice(0, LEAD_CHARS) : '');
  const shared = new Set([...terms(p.title), ...terms(lead)]);
  const sentences = splitSentences(p.text).map((s) => new Set(terms(s)));
  return { tf, len, shared, sentences };
}

/**
 * How well a passage's own text answers the question: BM25 of its headings and body, plus 0.5 × the
 * share of the question it covers, plus {@link SENTENCE_WEIGHT} × the share of the question its best
 * sentence holds (an answer sentence restates the question's detail; a summary paragraph touches
 * each word in a different sentence). Terms the title or lead holds count {@link SHARED_TERM_WEIGHT}.
 * @param weights query term → IDF × term weight
 * @param original sum of the weights of the question's own terms (the coverage denominator)
 * @param total sum of all weights (the BM25 denominator)
 * @param avgLen mean passage length in terms
 */
export function ownTextScore(o: OwnText, weights: Map<string, number>, original: number, total: number, avgLen: number): number {
  const { k1, b } = DEFAULT_BM25;
  const norm = k1 * (1 - b + (b * o.len) / (avgLen || 1));
  let bm25 = 0;
  let cov = 0;
  for (const [t, w] of weights) {
    const f = o.tf.get(t);
    if (!f) continue;
    const v = o.shared.has(t) ? w * SHARED_TERM_WEIGHT : w;
    bm25 += (v * f * (k1 + 1)) / (f + norm);
    cov += v;
  }
  let sentence = 0;
  for (const s of o.sentences) {
    let x = 0;
    for (const [t, w] of weights) if (s.has(t)) x += o.shared.has(t) ? w * SHARED_TERM_WEIGHT : w;
    if (x > sentence) sentence = x;
  }
  const share = (x: number) => (original > 0 ? Math.min(1, x / original) : 0);
  return bm25 / (total || 1) + 0.5 * share(cov) + SENTENCE_WEIGHT * share(sentence);
}
