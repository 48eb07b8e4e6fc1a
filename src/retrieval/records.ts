import { z } from 'zod';
import { restoreParagraphs } from '../knowledge/chunk.js';
import { DOC_STATUSES, DOC_TYPES, type KnowledgeDoc } from '../knowledge/schema.js';

const dateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * One line of a JSONL corpus (`npm run ingest`, `eval:retrieval`): `{docid|id, title?, text, ...}`.
 * Only `text` and an id are required; everything else gets a neutral default.
 */
export const corpusRecordSchema = z
  .object({
    docid: z.union([z.string().min(1).max(200), z.number()]).optional(),
    id: z.union([z.string().min(1).max(200), z.number()]).optional(),
    title: z.string().trim().min(1).max(300).optional(),
    text: z.string().trim().min(1, 'must not be empty'),
    type: z.enum(DOC_TYPES).optional(),
    doc_no: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    published: dateString.optional(),
    status: z.enum(DOC_STATUSES).optional(),
    departments: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).optional(),
    topics: z.array(z.string().min(1)).optional(),
    source_url: z.url().optional(),
    url: z.url().optional(),
  })
  .refine((r) => r.docid !== undefined || r.id !== undefined, { message: 'needs "docid" or "id"', path: ['docid'] });

export type CorpusRecord = z.infer<typeof corpusRecordSchema>;

/** Meilisearch ids allow [A-Za-z0-9_-]; anything else is replaced and a short hash keeps ids unique. */
export function safeDocId(raw: string): string {
  if (/^[A-Za-z0-9_-]{1,200}$/.test(raw)) return raw;
  let h = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) h = Math.imul(h ^ raw.charCodeAt(i), 0x01000193) >>> 0;
  const base = raw.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return `${base || 'doc'}-${h.toString(36)}`;
}

/**
 * Split a run-on text into title and body when no title is given: the first paragraph is the
 * title if it is short (as in scraped documents whose first line is the headline).
 */
export function splitTitle(text: string): { title: string; body: string } {
  const paragraphs = restoreParagraphs(text).split(/\n+/);
  const first = (paragraphs[0] ?? '').trim();
  if (first.length >= 2 && first.length <= 80 && paragraphs.length > 1) {
    return { title: first, body: paragraphs.slice(1).join('\n\n') };
  }
  const sentence = /^[^。！？!?]{2,60}/.exec(first)?.[0] ?? first.slice(0, 60);
  return { title: sentence, body: restoreParagraphs(text) };
}

/** Turn a validated corpus record into a knowledge document that `chunkDocument` accepts. */
export function docFromRecord(rec: CorpusRecord, source: string): KnowledgeDoc {
  const rawId = String(rec.docid ?? rec.id);
  const { title, body } = rec.title ? { title: rec.title, body: restoreParagraphs(rec.text) } : splitTitle(rec.text);
  return {
    id: safeDocId(rawId),
    title,
    type: rec.type ?? 'policy',
    ...(rec.doc_no ? { doc_no: rec.doc_no } : {}),
    issuer: rec.issuer ?? '',
    published: rec.published ?? '',
    status: rec.status ?? '现行有效',
    departments: rec.departments ?? [],
    topics: rec.topics ?? [],
    ...(rec.source_url || rec.url ? { source_url: rec.source_url ?? rec.url } : {}),
    body,
    source,
  };
}

/**
 * Parse JSONL text line by line with a zod schema. A bad line is reported as `file:line: …`
 * and skipped; the rest still load.
 */
export function parseJsonl<T>(text: string, file: string, schema: z.ZodType<T>): { records: Array<{ line: number; value: T }>; errors: string[] } {
  const records: Array<{ line: number; value: T }> = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      errors.push(`${file}:${i + 1}: not valid JSON`);
      return;
    }
    const r = schema.safeParse(json);
    if (r.success) records.push({ line: i + 1, value: r.data });
    else errors.push(`${file}:${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ')}`);
  });
  return { records, errors };
}
