import type { Meilisearch } from 'meilisearch';
import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { Passage } from '../knowledge/schema.js';
import { quoteFilterValue } from '../retrieval/filters.js';
import type { RetrievalHit } from '../retrieval/types.js';

/** A run of text, marked when it matches the query. */
export interface Segment {
  text: string;
  hit: boolean;
}

const fold = (s: string) => s.toLowerCase();

/**
 * Split `text` into runs, marking every maximal substring (≥ 2 characters, or a whole query of
 * one character) that also occurs in the query. Chinese has no spaces, so query "terms" are
 * whatever stretches the passage shares with it.
 * @example highlight('申请公开政府信息', '怎么申请信息公开') // 申请公开 and 信息 marked
 */
export function highlight(text: string, query: string): Segment[] {
  const q = fold(query.replace(/[\s\p{P}\p{S}]+/gu, ''));
  const t = fold(text);
  const minLen = q.length === 1 ? 1 : 2;
  const marks = new Uint8Array(text.length);
  if (q.length >= minLen) {
    for (let i = 0; i < t.length; ) {
      let len = 0;
      for (let l = Math.min(q.length, t.length - i); l >= minLen; l--) {
        if (q.includes(t.slice(i, i + l))) {
          len = l;
          break;
        }
      }
      if (len) {
        marks.fill(1, i, i + len);
        i += len;
      } else i++;
    }
  }
  const out: Segment[] = [];
  for (let i = 0; i < text.length; i++) {
    const hit = marks[i] === 1;
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += text[i];
    else out.push({ text: text[i]!, hit });
  }
  return out;
}

/**
 * A title in book-title marks; marks inside become 〈〉 as Chinese nesting requires.
 * @example bookTitle('《要点》政策解读') === '《〈要点〉政策解读》'
 */
export function bookTitle(title: string): string {
  if (/^《[^《》]*》$/.test(title)) return title;
  return `《${title.replace(/《/g, '〈').replace(/》/g, '〉')}》`;
}

export const TYPE_LABELS: Record<Passage['type'], string> = {
  policy: '政策文件',
  interpretation: '政策解读',
  guide: '办事指南',
  faq: '常见问答',
};

/**
 * The answer in the hotline's standard wording (12345 标准口径): greeting, the rule with its
 * source and position, the issuing body and date, who to contact, closing.
 */
export function standardAnswer(p: Passage, answer: string, directory: DepartmentDirectory): string {
  const source = `${bookTitle(p.title)}${p.docNo ? `（${p.docNo}）` : ''}${p.section ? p.section : ''}`;
  const meta = [p.issuer ? `发布机关：${p.issuer}` : '', p.published ? `发布日期：${p.published}` : '', `效力状态：${p.status}`]
    .filter(Boolean)
    .join('；');
  const dept = p.departments.map((id) => directory.get(id)?.name).find(Boolean);
  const lines = [
    '您好，关于您咨询的问题，答复如下：',
    `根据${source}：${answer.trim()}`,
    `（${meta}）`,
    dept ? `如需进一步了解，可咨询${dept}。` : '如需进一步了解，可拨打12345政务服务便民热线。',
    ...(p.url ? [`原文链接：${p.url}`] : []),
    '感谢您的来电！',
  ];
  return lines.join('\n');
}

/** A document that interprets (解读) a policy. */
export interface LinkedDoc {
  docId: string;
  title: string;
  docNo?: string;
  published?: string;
  url?: string;
}

/** Read-only access to the passage index for the panel: whole documents and interpretation links. */
export interface PassageLookup {
  /** Interpretations of each of `docIds`, keyed by the interpreted document id. */
  interpretationsOf(docIds: string[]): Promise<Map<string, LinkedDoc[]>>;
  /** Titles of documents by id (for "this interprets …" links). */
  titlesOf(docIds: string[]): Promise<Map<string, LinkedDoc>>;
  /** All passages of a document in reading order; empty if unknown. */
  document(docId: string): Promise<Passage[]>;
}

const LINK_FIELDS = ['docId', 'title', 'docNo', 'published', 'url', 'interprets'];

export function createMeiliPassageLookup(client: Meilisearch, indexName: string): PassageLookup {
  const index = () => client.index<Passage>(indexName);
  const anyOf = (field: string, values: string[]) => values.map((v) => `${field} = ${quoteFilterValue(v)}`).join(' OR ');
  const link = (p: Passage): LinkedDoc => ({
    docId: p.docId,
    title: p.title,
    ...(p.docNo ? { docNo: p.docNo } : {}),
    ...(p.published ? { published: p.published } : {}),
    ...(p.url ? { url: p.url } : {}),
  });
  return {
    async interpretationsOf(docIds) {
      const out = new Map<string, LinkedDoc[]>();
      if (!docIds.length) return out;
      const res = await index().search('', { filter: anyOf('interprets', docIds), limit: 100, attributesToRetrieve: LINK_FIELDS });
      for (const p of res.hits) {
        if (!p.interprets) continue;
        const list = out.get(p.interprets) ?? [];
        if (!list.some((d) => d.docId === p.docId)) list.push(link(p));
        out.set(p.interprets, list);
      }
      return out;
    },
    async titlesOf(docIds) {
      const out = new Map<string, LinkedDoc>();
      if (!docIds.length) return out;
      const res = await index().search('', { filter: anyOf('docId', docIds), limit: 100, attributesToRetrieve: LINK_FIELDS });
      for (const p of res.hits) if (!out.has(p.docId)) out.set(p.docId, link(p));
      return out;
    },
    async document(docId) {
      const res = await index().getDocuments({ filter: anyOf('docId', [docId]), limit: 1000 });
      return [...res.results].sort((a, b) => a.order - b.order);
    },
  };
}

/** One heading in a document's outline; `order` is the passage it starts at (the anchor). */
export interface OutlineEntry {
  depth: number;
  text: string;
  order: number;
}

/**
 * The heading outline of a document from its passages' heading paths: each heading once, at the
 * first passage under it. The document title (depth 0, equal to the title) is left out.
 */
export function outlineOf(passages: Passage[]): OutlineEntry[] {
  const out: OutlineEntry[] = [];
  let prev: string[] = [];
  for (const p of passages) {
    p.headings.forEach((h, depth) => {
      if (prev[depth] === h && prev.slice(0, depth).join('/') === p.headings.slice(0, depth).join('/')) return;
      if (depth === 0 && h === p.title) return;
      out.push({ depth, text: h, order: p.order });
    });
    prev = p.headings;
  }
  return out;
}

/** A search result row as the panel shows it. */
export interface ResultView {
  hit: RetrievalHit;
  answer: Segment[];
  passage: Segment[];
  copyText: string;
  interpretations: LinkedDoc[];
  interprets?: LinkedDoc;
}

/** Decorate retrieval hits with highlights, the copyable answer and linked interpretations. */
export async function resultViews(
  hits: RetrievalHit[],
  query: string,
  lookup: PassageLookup,
  directory: DepartmentDirectory,
): Promise<ResultView[]> {
  const docIds = [...new Set(hits.map((h) => h.passage.docId))];
  const targets = [...new Set(hits.map((h) => h.passage.interprets).filter((x): x is string => Boolean(x)))];
  const [interps, titles] = await Promise.all([lookup.interpretationsOf(docIds), lookup.titlesOf(targets)]);
  return hits.map((hit) => {
    const p = hit.passage;
    return {
      hit,
      answer: highlight(hit.answer, query),
      passage: highlight(p.text, query),
      copyText: standardAnswer(p, hit.answer, directory),
      interpretations: interps.get(p.docId) ?? [],
      ...(p.interprets && titles.get(p.interprets) ? { interprets: titles.get(p.interprets)! } : {}),
    };
  });
}
