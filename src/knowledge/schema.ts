import { z } from 'zod';

export const DOC_TYPES = ['policy', 'interpretation', 'guide', 'faq'] as const;
export const DOC_STATUSES = ['现行有效', '已修订', '已废止'] as const;

const dateString = z.preprocess(
  // YAML parses an unquoted 2021-06-11 as a Date; accept both.
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
);

/** Front matter of a `knowledge/*.md` file. */
export const frontMatterSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  title: z.string().min(2),
  type: z.enum(DOC_TYPES),
  doc_no: z.string().min(2).optional(),
  issuer: z.string().min(2),
  published: dateString,
  status: z.enum(DOC_STATUSES).default('现行有效'),
  departments: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).default([]),
  topics: z.array(z.string().min(1)).default([]),
  interprets: z.string().optional(),
  source_url: z.url().optional(),
}).strict();

export type FrontMatter = z.infer<typeof frontMatterSchema>;

export interface KnowledgeDoc extends FrontMatter {
  /** Markdown body after the front matter. */
  body: string;
  /** Where it came from (relative path), for error messages and provenance. */
  source: string;
}

/** One retrievable unit: a section or part of a section of a document. */
export interface Passage {
  id: string;
  docId: string;
  title: string;
  type: FrontMatter['type'];
  docNo?: string;
  issuer?: string;
  published?: string;
  /** Unix seconds of `published`, for filtering and sorting. */
  publishedTs?: number;
  status: FrontMatter['status'];
  departments: string[];
  topics: string[];
  interprets?: string;
  url?: string;
  /** Headings from the top of the document down to this passage. */
  headings: string[];
  /** Citation form of the position, e.g. 第二部分（三）. Empty for a document's lead. */
  section: string;
  text: string;
  /** Position in the document, 0-based. */
  order: number;
  /**
   * The document's opening words (issuer, place, date, subject) for passages after the first:
   * a question naming them should still find a passage deep in the document.
   */
  context?: string;
}
