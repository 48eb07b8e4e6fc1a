import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

/**
 * `knowledge/synonyms.yaml`: how citizens say things → how documents say them.
 *
 * ```yaml
 * - official: [社会保险]
 *   colloquial: [社保, 五险]
 * ```
 * A colloquial term in a question is expanded with its official terms (query rewriting: the
 * scoring terms, and the official wording Meilisearch's word search is sent). Official terms are
 * also a vocabulary for pinyin
 * typo correction.
 */
const term = z.string().trim().min(2, 'a term needs at least 2 characters').max(20).regex(/^[^\s,，]+$/, 'no spaces or commas');
const entrySchema = z
  .object({
    official: z.union([term, z.array(term).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
    colloquial: z.array(term).default([]),
    note: z.string().optional(),
  })
  .strict();
export const synonymsFileSchema = z.array(entrySchema);

/** Colloquial term → official terms, plus the whole vocabulary. */
export interface SynonymSet {
  expansions: Record<string, string[]>;
  /** Every official and colloquial term, for typo correction. */
  vocabulary: string[];
}

export const EMPTY_SYNONYMS: SynonymSet = { expansions: {}, vocabulary: [] };

export class SynonymsFileError extends Error {
  constructor(public readonly file: string, public readonly line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'SynonymsFileError';
  }
}

/**
 * Parse and validate the synonyms file. Throws {@link SynonymsFileError} with `file:line`.
 * @example parseSynonyms('- official: [社会保险]\n  colloquial: [社保]', 'synonyms.yaml').expansions['社保'] // ['社会保险']
 */
export function parseSynonyms(text: string, file: string): SynonymSet {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new SynonymsFileError(file, e.linePos?.[0]?.line ?? 1, `YAML: ${e.message.split('\n')[0]}`);
  }
  const parsed = synonymsFileSchema.safeParse(doc.toJS() ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const idx = typeof issue.path[0] === 'number' ? issue.path[0] : undefined;
    let line = 1;
    const items = doc.contents && 'items' in doc.contents ? (doc.contents.items as Array<{ range?: [number, number, number] }>) : [];
    const node = idx !== undefined ? items[idx] : undefined;
    if (node?.range) line = lc.linePos(node.range[0]).line;
    throw new SynonymsFileError(file, line, `${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return buildSynonymSet(parsed.data);
}

export function buildSynonymSet(entries: Array<{ official: string[]; colloquial: string[] }>): SynonymSet {
  const expansions: Record<string, string[]> = {};
  const vocab = new Set<string>();
  for (const e of entries) {
    for (const o of e.official) vocab.add(o);
    for (const c of e.colloquial) {
      vocab.add(c);
      const targets = e.official.filter((o) => o !== c);
      expansions[c] = [...new Set([...(expansions[c] ?? []), ...targets])];
    }
  }
  return { expansions, vocabulary: [...vocab] };
}
