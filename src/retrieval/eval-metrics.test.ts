import { describe, expect, it } from 'vitest';
import { answerHit, lcsLength, summarize } from './eval-metrics.js';

describe('answer hit', () => {
  it('computes the longest common subsequence', () => {
    expect(lcsLength('社会保险费', '缓缴社会保险的费用')).toBe(5);
    expect(lcsLength('', 'x')).toBe(0);
  });
  it('is a substring match or ≥ 80% LCS coverage of the gold answer, ignoring spaces', () => {
    expect(answerHit('免征增值税', '对运输收入免征增值税。')).toBe(true);
    expect(answerHit(' 路径1：打开浙里办APP', '路径1：打开浙里办 APP首页')).toBe(true);
    expect(answerHit('缓缴期间免收滞纳金', '缓缴期间免收取滞纳金')).toBe(true);
    expect(answerHit('缓缴期间免收滞纳金', '缓缴期限不超过6个月')).toBe(false);
  });
});

describe('summarize', () => {
  it('computes recall at k, MRR, answer hits and latency percentiles', () => {
    const gold = { docid: 'a', answer: '免征增值税' };
    const m = summarize([
      { docs: ['a', 'b'], answers: ['免征增值税'], gold, ms: 10 },
      { docs: ['b', 'c', 'd', 'e', 'f', 'a'], answers: ['x', 'y', '对收入免征增值税'], gold, ms: 30 },
      { docs: ['b'], answers: ['x'], gold, ms: 20 },
      { docs: ['c', 'a'], answers: ['x'], gold, ms: 40 },
    ]);
    expect(m).toMatchObject({ recallAt1: 0.25, recallAt5: 0.5, recallAt10: 0.75, answerHitAt1: 0.25, answerHitAt3: 0.5, questions: 4 });
    expect(m.mrr).toBeCloseTo((1 + 1 / 6 + 0 + 1 / 2) / 4, 3);
    expect(m.p50Ms).toBe(20);
    expect(m.p95Ms).toBe(40);
  });

  it('counts a hit whose passage several documents share (a repost) for each of them', () => {
    const gold = { docid: 'a', answer: '免征增值税' };
    const m = summarize([
      { docs: [['b', 'a'], 'c'], answers: ['免征增值税'], gold, ms: 1 },
      { docs: [['b', 'c'], 'd', ['e', 'a']], answers: ['x'], gold, ms: 1 },
    ]);
    expect(m).toMatchObject({ recallAt1: 0.5, recallAt5: 1 });
    expect(m.mrr).toBeCloseTo((1 + 1 / 3) / 2, 3);
  });
});
