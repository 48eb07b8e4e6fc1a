import { splitSentences } from '../knowledge/chunk.js';
import { terms } from './bm25.js';

/** Sentences longer than this are cut at clause marks (，；：) so the answer stays focused. */
const MAX_UNIT = 160;
/**
 * The answer is extended with the following sentences up to this length: documents often restate
 * the question in one sentence and answer it in the next (“…抢卸防控物资。共计432吨。”).
 */
const MIN_ANSWER = 160;
const MAX_ANSWER = 320;

function units(text: string): string[] {
  const out: string[] = [];
  for (const s of splitSentences(text)) {
    if (s.length <= MAX_UNIT) out.push(s);
    else out.push(...(s.match(/[^，,；;：:]+[，,；;：:]?/g) ?? [s]));
  }
  return out;
}

/**
 * The sentence(s) of a passage that answer the query: the unit with the highest IDF-weighted
 * share of query terms, extended with the following unit when it is only a lead-in.
 * @param weights query term → weight (IDF × term weight)
 */
export function selectAnswer(text: string, weights: Map<string, number>): string {
  const us = units(text);
  if (us.length <= 1) return text.trim();
  let best = 0;
  let bestScore = -1;
  us.forEach((u, i) => {
    let score = 0;
    for (const t of new Set(terms(u))) score += weights.get(t) ?? 0;
    // Slight preference for earlier units on ties: documents state the rule before details.
    score -= i * 1e-6;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  let answer = us[best]!;
  let j = best + 1;
  while ((answer.length < MIN_ANSWER || /[：:]$/.test(answer)) && j < us.length && answer.length + us[j]!.length <= MAX_ANSWER) {
    answer += us[j]!;
    j++;
  }
  return answer.trim();
}
