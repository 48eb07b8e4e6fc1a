import { describe, expect, it } from 'vitest';
import { parseFeedback } from './feedback.js';

describe('parseFeedback', () => {
  it('reads votes and nothing else', () => {
    expect(parseFeedback('有用')).toEqual({ helpful: true });
    expect(parseFeedback('很有用！')).toEqual({ helpful: true });
    expect(parseFeedback('没用')).toEqual({ helpful: false });
    expect(parseFeedback('没有帮助。')).toEqual({ helpful: false });
    expect(parseFeedback('无用')).toEqual({ helpful: false });
    expect(parseFeedback('有用的政策在哪里查')).toBeUndefined();
    expect(parseFeedback('这个没用的东西怎么投诉')).toBeUndefined();
  });
});
