import type { SearchFilters } from './types.js';

/**
 * Quote a value for a Meilisearch filter expression. User-controlled values only ever reach a
 * filter through this function: the value is wrapped in double quotes with `\` and `"` escaped,
 * so it cannot close the string and inject operators.
 */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function dateToTs(date: string, endOfDay: boolean): number {
  const ts = Date.parse(`${date}T${endOfDay ? '23:59:59' : '00:00:00'}+08:00`);
  if (Number.isNaN(ts)) throw new Error(`bad date ${date}`);
  return Math.floor(ts / 1000);
}

/** Build a Meilisearch filter array (AND of ORs) from typed filters. */
export function buildFilter(f: SearchFilters | undefined): string[] {
  if (!f) return [];
  const out: string[] = [];
  const anyOf = (field: string, values: string[] | undefined) => {
    if (values && values.length > 0) out.push(values.map((v) => `${field} = ${quoteFilterValue(v)}`).join(' OR '));
  };
  anyOf('type', f.type);
  anyOf('departments', f.departments);
  if (f.status) out.push(`status = ${quoteFilterValue(f.status)}`);
  if (f.docId) out.push(`docId = ${quoteFilterValue(f.docId)}`);
  if (f.publishedFrom) out.push(`publishedTs >= ${dateToTs(f.publishedFrom, false)}`);
  if (f.publishedTo) out.push(`publishedTs <= ${dateToTs(f.publishedTo, true)}`);
  return out;
}
