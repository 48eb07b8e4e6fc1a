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
 * whole; in a longer one, the sentence/clause holding the most distinct query weight (IDF × term
 * weight) and what follows it, whole units up to 400 characters, topped up with the units before
 * it to at least 300. Documents often restate the question in one sentence and answer it in the
 * next, so the answer runs forward from where the question matches (measured against the best
 * 300–400-character window anywhere: answer-hit@3 0.805 → 0.815 on the NCPQA dev set).
 * @param weights query term → weight
 */
export function selectAnswer(text: string, weights: Map<string, number>): string {
  if (text.length <= WHOLE_PASSAGE) return text.trim();
  const us = units(text);
  if (us.length <= 1) return text.trim();
  let best = 0;
  let bestScore = -1;
  us.forEach((u, i) => {
    const score = [...new Set(terms(u))].reduce((a, t) => a + (weights.get(t) ?? 0), 0);
    if (score > bestScore) (best = i), (bestScore = score);
  });
  let start = best;
  let end = best;
  let len = 0;
  while (end < us.length && (end === start || len + us[end]!.length <= MAX_ANSWER)) len += us[end++]!.length;
  while (start > 0 && len < MIN_ANSWER && len + us[start - 1]!.length <= MAX_ANSWER) len += us[--start]!.length;
  return us.slice(start, end).join('').trim();
}
