/**
 * Which passage of a document to show. Documents are ranked by their best passage's full score
 * (title, lead and document statistics included); within a document the title and lead match
 * every passage alike, so the choice rests on the passage's *own* text (body and headings).
 */
import { splitSentences } from '../knowledge/chunk.js';
import { DEFAULT_BM25, terms } from './bm25.js';
import type { PassageDocument } from './types.js';

export interface Scored {
  doc: PassageDocument;
  score: number;
  coverage: number;
  matched: Set<string>;
  /**
   * The passage's own text (body and headings) against the question, without the title and lead
   * every passage of its document shares: which of a document's passages to show.
   */
  body?: number;
  /**
   * Set by `showBestPassages`, which gives every shown passage its document's `score`: the
   * passage's own score.
   */
  passageScore?: number;
}

/** Characters of a document's start that every later passage carries as `context` (src/knowledge/chunk.ts). */
const LEAD_CHARS = 150;
/** Sentences told apart in a passage (bits of a number); later ones count as the last. */
const MAX_SENTENCES = 30;

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
  /** The sentences of the body holding each term, as bits (sentence i → bit i; the 30th and later share the last bit). */
  sentencesOf: Map<string, number>;
  /** Number of sentence bits used. */
  sentences: number;
}

/**
 * The own text of a passage. The lead is the `context` a later passage carries; the first passage
 * has none, its own text *is* the lead, whose terms are then just as shared — without this the
 * document's opening paragraph wins on words that every passage of the document has.
 */
export function ownText(
  p: Pick<PassageDocument, 'title' | 'headings' | 'text' | 'context' | 'order'>,
  headingsWeight = 1,
  shared: Set<string> = new Set([...terms(p.title), ...terms(leadOf(p))]),
): OwnText {
  const tf = new Map<string, number>();
  const sentencesOf = new Map<string, number>();
  let len = 0;
  for (const t of terms(p.headings.join('\n'))) {
    tf.set(t, (tf.get(t) ?? 0) + headingsWeight);
    len += headingsWeight;
  }
  // Sentences end at punctuation or a line break, where bigrams end too: the body's terms are the
  // sentences' terms, so the body is segmented once.
  let sentences = 0;
  for (const s of splitSentences(p.text)) {
    const bit = 1 << Math.min(sentences++, MAX_SENTENCES - 1);
    for (const t of terms(s)) {
      tf.set(t, (tf.get(t) ?? 0) + 1);
      len++;
      sentencesOf.set(t, (sentencesOf.get(t) ?? 0) | bit);
    }
  }
  return { tf, len, shared, sentencesOf, sentences: Math.min(sentences, MAX_SENTENCES) };
}

/** The document's lead: a later passage's `context`, the first passage's own opening. */
export function leadOf(p: Pick<PassageDocument, 'text' | 'context' | 'order'>): string {
  return p.context || (p.order === 0 ? p.text.replace(/\s+/g, '').slice(0, LEAD_CHARS) : '');
}

/**
 * How well a passage's own text answers the question: BM25 of its headings and body, plus 0.5 × the
 * share of the question it covers, plus {@link SENTENCE_WEIGHT} × the share of the question its best
 * sentence holds (an answer sentence restates the question's detail; a summary paragraph touches
 * each word in a different sentence). Terms the title or lead holds count {@link SHARED_TERM_WEIGHT}.
 * @param weights query term → IDF × term weight
 * @param asked the question's own terms (`UnderstoodQuery.original`): the sentence share counts only these
 * @param original sum of the weights of the question's own terms (the coverage denominator)
 * @param total sum of all weights (the BM25 denominator)
 * @param avgLen mean passage length in terms
 */
export function ownTextScore(
  o: OwnText,
  weights: Map<string, number>,
  asked: ReadonlySet<string>,
  original: number,
  total: number,
  avgLen: number,
): number {
  const { k1, b } = DEFAULT_BM25;
  const norm = k1 * (1 - b + (b * o.len) / (avgLen || 1));
  let bm25 = 0;
  let cov = 0;
  // The question's own terms the passage holds, with their (discounted) weights: what its sentences
  // are measured by. Answer cues (多久 → 工作日, 期限) and synonym expansions are not the question's
  // words; a long compound sentence holding all of them would win on them.
  const held: Array<[string, number]> = [];
  for (const [t, w] of weights) {
    const f = o.tf.get(t);
    if (!f) continue;
    const v = o.shared.has(t) ? w * SHARED_TERM_WEIGHT : w;
    bm25 += (v * f * (k1 + 1)) / (f + norm);
    cov += v;
    if (asked.has(t)) held.push([t, v]);
  }
  let sentence = 0;
  if (held.length > 0) {
    const perSentence = new Float64Array(o.sentences);
    for (const [t, v] of held) {
      const bits = o.sentencesOf.get(t) ?? 0;
      for (let i = 0; i < o.sentences; i++) if (bits & (1 << i)) perSentence[i]! += v;
    }
    for (const x of perSentence) if (x > sentence) sentence = x;
  }
  const share = (x: number) => (original > 0 ? Math.min(1, x / original) : 0);
  return bm25 / (total || 1) + 0.5 * share(cov) + SENTENCE_WEIGHT * share(sentence);
}

/**
 * Documents stay in the order of their best passage's score (title, lead and document statistics
 * included: the right document), but which of a document's passages are shown follows that score
 * plus `body`, the passage's own text against the question (`ownTextScore`: the title's and lead's
 * words discounted, the best sentence counted). The title and lead match every passage of a
 * document alike, and BM25's length normalisation then favours the shortest passage (a byline such
 * as "责任编辑：李瑞" beat the passage with the answer), or the opening paragraph that restates the
 * title. NCPQA dev answer-hit@1 0.764 → 0.787 → 0.803, @3 0.828 → 0.838 → 0.859 (docs/benchmarks.md).
 * A shown passage carries its document's score and coverage: its rank and the confidence are the
 * document's.
 */
export function showBestPassages(sorted: Scored[]): Scored[] {
  const byDoc = new Map<string, Scored[]>();
  for (const s of sorted) {
    const list = byDoc.get(s.doc.docId);
    if (list) list.push(s);
    else byDoc.set(s.doc.docId, [s]);
  }
  const out: Scored[] = [];
  for (const list of byDoc.values()) {
    const lead = list[0]!;
    const key = (x: Scored) => x.score + (x.body ?? 0);
    const ordered = [...list].sort((a, b) => key(b) - key(a));
    for (const s of ordered) out.push({ ...s, passageScore: s.score, score: lead.score, coverage: lead.coverage });
  }
  return out;
}

/**
 * The first document's second passage, shown third (or last, with fewer hits; within `limit`), when
 * the search would answer (`answerable`: confidence ≥ `ANSWER_THRESHOLD`) and that passage scores
 * above every other document's best passage — in a ranking of passages it would come second. The
 * answer often sits in the passage next to a summary of it (an opening paragraph, a list's
 * introduction), and a third document is then rarely the one asked about; the hits after it move one
 * place down. NCPQA dev answer-hit@3 0.859 → 0.910 with recall@5 and MRR unchanged
 * (docs/benchmarks.md, "session 14").
 * @param picked the hits, one passage per document, best first
 * @param shown every candidate passage as `showBestPassages` orders them
 * @param extra makes a hit of the second passage
 */
export function withSecondPassage<T extends Scored>(picked: T[], shown: Scored[], answerable: boolean, limit: number, extra: (s: Scored) => T): T[] {
  const first = picked[0];
  if (!first || !answerable) return picked;
  const second = shown.find((x) => x.doc.docId === first.doc.docId && x.doc.id !== first.doc.id);
  if (!second || (second.passageScore ?? second.score) < (picked[1]?.score ?? 0)) return picked;
  const out = [...picked];
  out.splice(2, 0, extra(second));
  return out.slice(0, limit);
}
