import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { INTENTS, type Intent } from '../dialogue/types.js';
import { normalizeText } from './normalize.js';

/**
 * One file of `intents/`, Rasa-like:
 * ```yaml
 * intent: complain
 * description: 对单位、企业或工作人员的服务或行为不满
 * examples: [为什么办个证要跑三趟？, ...]
 * patterns: ['态度(太|真|很)?(差|恶劣)']   # JS regular expressions on normalised text
 * keywords: [投诉]
 * replies: { default: [...] }             # templates the dialogue engine may use
 * ```
 */
export const intentFileSchema = z
  .object({
    intent: z.enum(INTENTS),
    description: z.string().min(1).optional(),
    // A bare `88` or `123` in YAML is a number; an example is always text.
    examples: z.array(z.union([z.string(), z.number().transform(String)]).pipe(z.string().trim().min(1).max(500))).min(1),
    patterns: z.array(z.string().min(1)).default([]),
    keywords: z.array(z.string().trim().min(1)).default([]),
    replies: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'reply keys are snake_case'), z.array(z.string().min(1)).min(1)).default({}),
  })
  .strict();

export interface IntentDefinition {
  intent: Intent;
  description?: string;
  examples: string[];
  patterns: RegExp[];
  keywords: string[];
  replies: Record<string, string[]>;
}

/** Validated content of `intents/`, ready for {@link createIntentClassifier}. */
export interface IntentData {
  intents: IntentDefinition[];
}

export interface IntentFileText {
  /** Name used in error messages, e.g. `intents/complain.yaml`. */
  file: string;
  text: string;
}

/** Raised when `intents/` is invalid; `errors` are `file:line: message` lines. */
export class IntentDataError extends Error {
  constructor(public readonly errors: string[]) {
    super(`invalid intent data:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    this.name = 'IntentDataError';
  }
}

/**
 * Parse and validate intent files given as texts (the Workers build bundles them; Node reads
 * them with `loadIntentsDir`). Every problem is reported as `file:line: message`; an example
 * listed twice (same normalised text), under one intent or two, is rejected. By default every
 * intent in `INTENTS` must be defined (`requireAll: false` for partial test data).
 * @example parseIntentFiles([{ file: 'intents/greet.yaml', text: 'intent: greet\nexamples: [你好]' }])
 */
export function parseIntentFiles(files: IntentFileText[], opts: { requireAll?: boolean } = {}): IntentData {
  const errors: string[] = [];
  const byIntent = new Map<Intent, IntentDefinition>();
  const seen = new Map<string, { where: string; intent: Intent }>();

  for (const { file, text } of files) {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push(`${file}:${lineOf(e.pos[0])}: ${e.message.split('\n')[0]}`);
      continue;
    }
    const nodeLine = (path: ReadonlyArray<PropertyKey>) => {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) return lineOf(node.range[0]);
      }
      return 1;
    };
    let raw: unknown;
    try {
      raw = doc.toJS();
    } catch (err) {
      // e.g. an unresolved alias (*a): the document parsed but cannot become data.
      errors.push(`${file}:1: YAML: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = intentFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) errors.push(`${file}:${nodeLine(i.path)}: ${i.path.join('.') || '(file)'}: ${i.message}`);
      continue;
    }
    const data = parsed.data;
    const patterns: RegExp[] = [];
    data.patterns.forEach((p, n) => {
      try {
        patterns.push(new RegExp(p, 'u'));
      } catch (err) {
        errors.push(`${file}:${nodeLine(['patterns', n])}: patterns.${n}: invalid regular expression: ${(err as Error).message}`);
      }
    });
    data.examples.forEach((ex, n) => {
      const key = normalizeText(ex);
      const where = `${file}:${nodeLine(['examples', n])}`;
      const prev = seen.get(key);
      if (prev) {
        const what = prev.intent === data.intent ? `listed twice under "${data.intent}"` : `also listed under "${prev.intent}"`;
        errors.push(`${where}: example "${ex}" is ${what} (${prev.where})`);
      } else seen.set(key, { where, intent: data.intent });
    });
    const def = byIntent.get(data.intent) ?? { intent: data.intent, examples: [], patterns: [], keywords: [], replies: {} };
    def.description ??= data.description;
    def.examples.push(...data.examples);
    def.patterns.push(...patterns);
    def.keywords.push(...data.keywords);
    for (const [k, v] of Object.entries(data.replies)) def.replies[k] = [...(def.replies[k] ?? []), ...v];
    byIntent.set(data.intent, def);
  }
  if (errors.length) throw new IntentDataError(errors);
  const missing = INTENTS.filter((i) => !byIntent.has(i));
  if (missing.length && opts.requireAll !== false) throw new IntentDataError([`(intents): no file defines ${missing.join(', ')}`]);
  return { intents: INTENTS.filter((i) => byIntent.has(i)).map((i) => byIntent.get(i)!) };
}
