/** Classification metrics for the eval scripts: accuracy, per-label P/R/F1, confusion matrix. */

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Gold examples of this label. */
  support: number;
}

export interface EvalReport {
  n: number;
  accuracy: number;
  macroF1: number;
  perLabel: Record<string, LabelMetrics>;
  /** confusion[gold][predicted] = count */
  confusion: Record<string, Record<string, number>>;
  labels: string[];
}

export interface Outcome {
  gold: string;
  predicted: string;
  /** Whether the prediction counts as right (defaults to gold === predicted). */
  correct?: boolean;
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/**
 * Score predictions. When `correct` is set (routing with a category map, where several
 * departments may be right), a right prediction counts for the gold label in P/R.
 */
export function evaluate(outcomes: Outcome[], labelOrder: string[] = []): EvalReport {
  const labels = [...new Set([...labelOrder, ...outcomes.map((o) => o.gold), ...outcomes.map((o) => o.predicted)])];
  const confusion: EvalReport['confusion'] = {};
  const tp = new Map<string, number>();
  const predCount = new Map<string, number>();
  const goldCount = new Map<string, number>();
  let right = 0;
  for (const o of outcomes) {
    const ok = o.correct ?? o.gold === o.predicted;
    const pred = ok ? o.gold : o.predicted;
    (confusion[o.gold] ??= {})[o.predicted] = (confusion[o.gold]?.[o.predicted] ?? 0) + 1;
    goldCount.set(o.gold, (goldCount.get(o.gold) ?? 0) + 1);
    predCount.set(pred, (predCount.get(pred) ?? 0) + 1);
    if (ok) {
      right++;
      tp.set(o.gold, (tp.get(o.gold) ?? 0) + 1);
    }
  }
  const perLabel: Record<string, LabelMetrics> = {};
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    const p = predCount.get(l) ? t / predCount.get(l)! : 0;
    const r = goldCount.get(l) ? t / goldCount.get(l)! : 0;
    perLabel[l] = { precision: round(p), recall: round(r), f1: round(p + r ? (2 * p * r) / (p + r) : 0), support: goldCount.get(l) ?? 0 };
  }
  const withSupport = labels.filter((l) => (goldCount.get(l) ?? 0) > 0);
  const macroF1 = withSupport.length ? withSupport.reduce((s, l) => s + perLabel[l]!.f1, 0) / withSupport.length : 0;
  return { n: outcomes.length, accuracy: round(outcomes.length ? right / outcomes.length : 0), macroF1: round(macroF1), perLabel, confusion, labels };
}

/** A plain-text table of per-label metrics and the confusion matrix, for people. */
export function formatReport(title: string, r: EvalReport): string {
  const pad = (s: string | number, w: number) => String(s).padStart(w);
  const lines = [`${title}: accuracy ${r.accuracy.toFixed(4)}  macro-F1 ${r.macroF1.toFixed(4)}  n=${r.n}`, ''];
  lines.push(`${'label'.padEnd(14)}${pad('P', 8)}${pad('R', 8)}${pad('F1', 8)}${pad('n', 6)}`);
  for (const l of r.labels) {
    const m = r.perLabel[l]!;
    lines.push(`${l.padEnd(14)}${pad(m.precision.toFixed(3), 8)}${pad(m.recall.toFixed(3), 8)}${pad(m.f1.toFixed(3), 8)}${pad(m.support, 6)}`);
  }
  const golds = r.labels.filter((l) => r.confusion[l]);
  const short = (l: string) => l.slice(0, 6);
  lines.push('', `confusion (rows gold, columns predicted)`);
  lines.push(`${''.padEnd(14)}${r.labels.map((l) => pad(short(l), 7)).join('')}`);
  for (const g of golds) lines.push(`${g.padEnd(14)}${r.labels.map((p) => pad(r.confusion[g]?.[p] ?? '.', 7)).join('')}`);
  return lines.join('\n');
}
