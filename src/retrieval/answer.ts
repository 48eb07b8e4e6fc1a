import { splitSentences } from '../knowledge/chunk.js';
import { terms } from './bm25.js';

/** Sentences longer than this are cut at clause marks (，；：) so the answer stays focused. */
const MAX_UNIT = 160;
/** Answer length in characters: at least MIN_ANSWER (when the passage has it), at most MAX_ANSWER. */
const MIN_ANSWER = 300;
const MAX_ANSWER = 400;
/**
 * A passage up to this long is the answer whole — the chat shows such passages whole too
 * (`SHORT_PASSAGE` in src/dialogue/replies.ts), so the answer is what the citizen reads.
 */
export const WHOLE_PASSAGE = 320;

function units(text: string): string[] {
  const out: string[] = [];
  for (const s of splitSentences(text)) {
    if (s.length <= MAX_UNIT) out.push(s);
    else out.push(...(s.match(/[^，,；;：:]+[，,；;：:]?/g) ?? [s]));
  }
  return out;
}

/**
 * The sentence(s) of a passage that answer the query: a passage of up to WHOLE_PASSAGE characters
 * whole; in a longer one, of all runs of whole sentences/clauses of 300–400 characters, the one holding the most distinct query weight (IDF × term weight), the
 * weight of its first unit breaking ties. Documents often restate the question in one sentence
 * and answer it in the next, so a single best sentence is too short.
 * @param weights query term → weight
 */
export function selectAnswer(text: string, weights: Map<string, number>): string {
  if (text.length <= WHOLE_PASSAGE) return text.trim();
  const us = units(text);
  if (us.length <= 1) return text.trim();
  const unitTerms = us.map((u) => new Set(terms(u)));
  const unitScore = unitTerms.map((ts) => [...ts].reduce((a, t) => a + (weights.get(t) ?? 0), 0));
  // Windows of whole units, 300–400 characters, scored by the distinct query weight they hold,
  // with the best single unit breaking ties (the answer sits next to where the question matches).
  let best = { start: 0, end: 1, score: -1 };
  for (let i = 0; i < us.length; i++) {
    let len = 0;
    const seen = new Set<string>();
    let score = 0;
    let j = i;
    while (j < us.length && (len < MIN_ANSWER || j === i) && len + us[j]!.length <= MAX_ANSWER) {
      for (const t of unitTerms[j]!) if (!seen.has(t)) (seen.add(t), (score += weights.get(t) ?? 0));
      len += us[j]!.length;
      j++;
    }
    if (j === i) j = i + 1;
    const s = score + 0.5 * unitScore[i]! - i * 1e-6;
    if (s > best.score) best = { start: i, end: j, score: s };
  }
  return us.slice(best.start, best.end).join('').trim();
}
