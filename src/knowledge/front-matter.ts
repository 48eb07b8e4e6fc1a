import { parseDocument, LineCounter } from 'yaml';
import { frontMatterSchema, type KnowledgeDoc } from './schema.js';

export class KnowledgeFileError extends Error {
  constructor(public readonly file: string, public readonly line: number, public readonly detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'KnowledgeFileError';
  }
}

const FENCE = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/**
 * Parse a Markdown file with YAML front matter into a validated document.
 * Throws {@link KnowledgeFileError} with `file:line` and the field at fault.
 */
export function parseKnowledgeFile(file: string, text: string): KnowledgeDoc {
  const m = FENCE.exec(text.replace(/^\uFEFF/, ''));
  if (!m) throw new KnowledgeFileError(file, 1, 'missing YAML front matter (--- ... ---)');
  const yamlText = m[1] ?? '';
  const lc = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new KnowledgeFileError(file, (e.linePos?.[0]?.line ?? 0) + 1, `YAML: ${e.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS();
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0];
    let line = 2;
    if (typeof key === 'string') {
      const node = doc.contents && 'items' in doc.contents
        ? (doc.contents.items as Array<{ key?: { value?: unknown; range?: [number, number, number] } }>).find((p) => p.key?.value === key)
        : undefined;
      if (node?.key?.range) line = lc.linePos(node.key.range[0]).line + 1;
    }
    const field = issue.path.join('.') || '(front matter)';
    throw new KnowledgeFileError(file, line, `${field}: ${issue.message}`);
  }
  return { ...parsed.data, body: text.slice(m[0].length), source: file };
}
