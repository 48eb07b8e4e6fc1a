import { describe, expect, it } from 'vitest';
import { IntentDataError, parseIntentFiles } from './schema.js';

const errorsOf = (files: Array<{ file: string; text: string }>, requireAll = false): string[] => {
  try {
    parseIntentFiles(files, { requireAll });
  } catch (err) {
    if (err instanceof IntentDataError) return err.errors;
    throw err;
  }
  return [];
};

describe('parseIntentFiles', () => {
  it('reads examples, patterns, keywords and replies', () => {
    const data = parseIntentFiles(
      [{ file: 'intents/greet.yaml', text: 'intent: greet\nexamples:\n  - 你好\n  - 88\npatterns: ["^你好$"]\nreplies:\n  default: [您好！]\n' }],
      { requireAll: false },
    );
    expect(data.intents).toHaveLength(1);
    expect(data.intents[0]).toMatchObject({ intent: 'greet', examples: ['你好', '88'], replies: { default: ['您好！'] } });
    expect(data.intents[0]!.patterns[0]!.test('你好')).toBe(true);
  });

  it('rejects an example listed under two intents, naming both places', () => {
    const errors = errorsOf([
      { file: 'intents/thanks.yaml', text: 'intent: thanks\nexamples:\n  - 谢谢\n  - 好的谢谢\n' },
      { file: 'intents/bye.yaml', text: 'intent: bye\nexamples:\n  - 再见\n  - 好的谢谢\n' },
    ]);
    expect(errors).toEqual(['intents/bye.yaml:4: example "好的谢谢" is also listed under "thanks" (intents/thanks.yaml:4)']);
  });

  it('reports an unresolved YAML alias as a data error with the file, not a crash', () => {
    const errors = errorsOf([{ file: 'intents/x.yaml', text: 'intent: greet\nexamples: [*a]\n' }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^intents\/x\.yaml:\d+: /);
  });

  it('counts spelling variants as the same example (traditional, full-width, dialect)', () => {
    const errors = errorsOf([
      { file: 'a.yaml', text: 'intent: consult\nexamples:\n  - 怎么办证？\n' },
      { file: 'b.yaml', text: 'intent: help\nexamples:\n  - 咋辦證?\n' },
    ]);
    expect(errors[0]).toMatch(/^b\.yaml:3: example "咋辦證\?" is also listed under "consult" \(a\.yaml:3\)$/);
  });

  it('reports schema problems with file:line', () => {
    const errors = errorsOf([
      { file: 'intents/x.yaml', text: 'intent: chitchat\nexamples:\n  - 你好\n' },
      { file: 'intents/y.yaml', text: 'intent: greet\nexamples:\n  - 你好\n  - ""\nsurprise: 1\n' },
    ]);
    expect(errors.some((e) => /^intents\/x\.yaml:1: intent: /.test(e))).toBe(true);
    expect(errors.some((e) => /^intents\/y\.yaml:4: examples\.1: /.test(e))).toBe(true);
    expect(errors.some((e) => /^intents\/y\.yaml:\d+: .*surprise/.test(e))).toBe(true);
  });

  it('reports YAML syntax errors and bad regular expressions with file:line', () => {
    expect(errorsOf([{ file: 'bad.yaml', text: 'intent: greet\nexamples:\n  - [你好\n' }])[0]).toMatch(/^bad\.yaml:\d+: /);
    expect(errorsOf([{ file: 're.yaml', text: 'intent: greet\nexamples: [你好]\npatterns:\n  - "(unclosed"\n' }])).toEqual([
      expect.stringMatching(/^re\.yaml:4: patterns\.0: invalid regular expression/),
    ]);
  });

  it('requires every intent by default', () => {
    expect(() => parseIntentFiles([{ file: 'g.yaml', text: 'intent: greet\nexamples: [你好]\n' }])).toThrow(/no file defines consult, help/);
  });
});
