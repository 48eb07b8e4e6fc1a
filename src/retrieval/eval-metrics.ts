/** Metrics of the retrieval eval (`npm run eval:retrieval`), pure so they can be unit-tested. */

/** Length of the longest common subsequence of two strings (by code point). */
export function lcsLength(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (!x.length || !y.length) return 0;
  let prev = new Uint16Array(y.length + 1);
  let cur = new Uint16Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length]!;
}

const squash = (s: string) => s.replace(/\s+/g, '');

/**
 * Whether a returned answer contains the gold answer: it is a substring, or the longest common
 * subsequence covers at least `minCoverage` of the gold answer's characters.
 */
export function answerHit(gold: string, answer: string, minCoverage = 0.8): boolean {
  const g = squash(gold);
  const a = squash(answer);
  if (!g) return false;
  if (a.includes(g)) return true;
  return lcsLength(g, a) / [...g].length >= minCoverage;
}

export interface QuestionOutcome {
  /**
   * The documents of each ranked hit, in order: a document id, or several when the hit's passage
   * is in several documents word for word (a repost, `RetrievalHit.alsoIn`).
   */
  docs: Array<string | string[]>;
  /** Answer texts of the ranked hits. */
  answers: string[];
  gold: { docid: string; answer: string };
  ms: number;
}

export interface RetrievalMetrics {
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
  answerHitAt1: number;
  answerHitAt3: number;
  p50Ms: number;
  p95Ms: number;
  questions: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function summarize(outcomes: QuestionOutcome[]): RetrievalMetrics {
  const n = outcomes.length || 1;
  let r1 = 0, r5 = 0, r10 = 0, mrr = 0, a1 = 0, a3 = 0;
  for (const o of outcomes) {
    const rank = o.docs.findIndex((d) => (typeof d === 'string' ? d === o.gold.docid : d.includes(o.gold.docid)));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    if (rank >= 0 && rank < 10) r10++;
    if (rank >= 0) mrr += 1 / (rank + 1);
    if (o.answers[0] !== undefined && answerHit(o.gold.answer, o.answers[0])) a1++;
    if (o.answers.slice(0, 3).some((a) => answerHit(o.gold.answer, a))) a3++;
  }
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    recallAt1: round(r1 / n),
    recallAt5: round(r5 / n),
    recallAt10: round(r10 / n),
    mrr: round(mrr / n),
    answerHitAt1: round(a1 / n),
    answerHitAt3: round(a3 / n),
    p50Ms: round(percentile(ms, 50), 1),
    p95Ms: round(percentile(ms, 95), 1),
    questions: outcomes.length,
  };
}
