/**
 * Reposts: one notice republished by several sites or departments, so the same passage stands in
 * several documents. The retriever shows such a passage once and names the other documents beside
 * it (`alsoIn`). Comparing only the passages that happen to be candidates for a question misses a
 * copy whose document the question's words did not bring in; so the copies are found once, when
 * the index is built, and stored on each passage (`reposts`).
 */
import { normalizeWidth, toSimplified } from './query.js';
import type { PassageDocument, RepostRef } from './types.js';

/** Passages at least this long (in characters, compared as {@link repostText}) that are identical in two documents are one passage. */
export const REPOST_MIN_CHARS = 40;
/** At most this many other documents are stored per passage. */
export const REPOSTS_MAX = 20;

/**
 * The text two copies of a passage share: reposts differ in spacing, punctuation width and the odd
 * traditional character (後/后), so those are left out.
 * @example repostText('可返还其上年度(不含落後产能), 50%.') === repostText('可返还其上年度（不含落后产能），50%。')
 */
export function repostText(text: string): string {
  return toSimplified(normalizeWidth(text)).replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** The reference to a passage's document that a hit lists in `alsoIn`. */
export function repostRef(p: Pick<PassageDocument, 'docId' | 'title' | 'docNo' | 'issuer' | 'published'>): RepostRef {
  const { docId, title, docNo, issuer, published } = p;
  return { docId, title, ...(docNo ? { docNo } : {}), ...(issuer ? { issuer } : {}), ...(published ? { published } : {}) };
}

/**
 * Set `reposts` on every passage whose text (≥ {@link REPOST_MIN_CHARS}) another document holds
 * too: those documents, in input order, at most {@link REPOSTS_MAX}. Other passages are returned
 * unchanged (no `reposts` field).
 */
export function markReposts<T extends PassageDocument>(docs: T[]): T[] {
  const groups = new Map<string, T[]>();
  for (const d of docs) {
    const key = repostText(d.text);
    if (key.length < REPOST_MIN_CHARS) continue;
    const g = groups.get(key);
    if (g) g.push(d);
    else groups.set(key, [d]);
  }
  const reposts = new Map<T, RepostRef[]>();
  for (const g of groups.values()) {
    if (new Set(g.map((d) => d.docId)).size < 2) continue;
    for (const d of g) {
      const seen = new Set([d.docId]);
      const refs: RepostRef[] = [];
      for (const o of g) {
        if (seen.has(o.docId) || refs.length >= REPOSTS_MAX) continue;
        seen.add(o.docId);
        refs.push(repostRef(o));
      }
      reposts.set(d, refs);
    }
  }
  return docs.map((d) => (reposts.has(d) ? { ...d, reposts: reposts.get(d)! } : d));
}
