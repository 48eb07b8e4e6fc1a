import { z } from 'zod';
import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { HistoryExample } from './model.js';

/** `{"劳动和社会保障":["hrss"]}`: a category of past messages -> the department ids it goes to. */
export const categoryMapSchema = z.record(z.string().min(1), z.array(z.string().min(1)).min(1));
export type CategoryMap = z.infer<typeof categoryMapSchema>;

/** One line of a history file: a message with its category or department. */
export const historyLineSchema = z
  .object({
    text: z.string().trim().min(1),
    title: z.string().optional(),
    category: z.string().min(1).optional(),
    department: z.string().min(1).optional(),
  })
  .refine((l) => l.category !== undefined || l.department !== undefined, { message: 'needs "category" or "department"' });
export type HistoryLine = z.infer<typeof historyLineSchema>;

export interface LabelledMessage {
  text: string;
  /** What the file says: a category or a department id. */
  gold: string;
  /** Department ids that count as right for this message. */
  departments: string[];
}

export interface ParsedHistory {
  messages: LabelledMessage[];
  /** `file:line: reason` for lines left out (bad JSON, unknown category or department). */
  skipped: string[];
}

/** Validate a category map against the directory; unknown department ids are an error. */
export function parseCategoryMap(json: unknown, directory: DepartmentDirectory, file = 'category map'): CategoryMap {
  const r = categoryMapSchema.safeParse(json);
  if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  for (const [cat, ids] of Object.entries(r.data)) {
    const bad = ids.filter((id) => !directory.get(id));
    if (bad.length) throw new Error(`${file}: "${cat}" maps to unknown department ${bad.join(', ')}`);
  }
  return r.data;
}

/**
 * Parse a JSONL history (`{"text","category"}` or `{"text","department"}`, optional
 * `title`). A `department` must be a directory id; a `category` goes through `map`, or is
 * taken as a department id when there is no map entry. Lines that cannot be placed are
 * skipped and reported, never guessed.
 */
export function parseHistory(text: string, directory: DepartmentDirectory, map: CategoryMap = {}, file = 'history'): ParsedHistory {
  const messages: LabelledMessage[] = [];
  const skipped: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped.push(`${where}: not valid JSON`);
      return;
    }
    const r = historyLineSchema.safeParse(json);
    if (!r.success) {
      skipped.push(`${where}: ${r.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ')}`);
      return;
    }
    const l = r.data;
    const gold = l.department ?? l.category!;
    const departments = l.department ? [l.department] : (map[gold] ?? [gold]);
    const unknown = departments.filter((d) => !directory.get(d));
    if (unknown.length) {
      skipped.push(`${where}: ${l.department ? 'unknown department' : 'category not in the map and not a department id'}: "${gold}"`);
      return;
    }
    const body = l.title && !l.text.startsWith(l.title) ? `${l.title}\n${l.text}` : l.text;
    messages.push({ text: body, gold, departments });
  });
  return { messages, skipped };
}

export const toHistoryExamples = (messages: LabelledMessage[]): HistoryExample[] =>
  messages.map((m) => ({ text: m.text, departments: m.departments }));
