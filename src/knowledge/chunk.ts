import type { KnowledgeDoc, Passage } from './schema.js';

/** Heading levels recognised in Chinese official documents, outermost first. */
const LEVELS: Array<{ re: RegExp; level: number; cite: (m: RegExpExecArray) => string }> = [
  { re: /^第([一二三四五六七八九十百零〇]+)章/, level: 1, cite: (m) => `第${m[1]}章` },
  { re: /^([一二三四五六七八九十]+)[、．.]/, level: 2, cite: (m) => `第${m[1]}部分` },
  { re: /^[（(]([一二三四五六七八九十]+)[)）]/, level: 3, cite: (m) => `（${m[1]}）` },
  { re: /^第([一二三四五六七八九十百零〇]+)条/, level: 4, cite: (m) => `第${m[1]}条` },
  { re: /^(\d{1,2})[、.．](?!\d)/, level: 5, cite: (m) => `${m[1]}.` },
];

const MAX_CHARS = 700;
const TARGET_CHARS = 450;
const MIN_CHARS = 40;

interface Block {
  headings: Array<{ level: number; text: string; cite: string }>;
  text: string;
}

/** Split text into sentences, keeping the closing punctuation. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const re = /[^。！？!?；;\n]+[。！？!?；;]*[”’」』）)]*|[\n]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const s = m[0].trim();
    if (s) out.push(s);
  }
  return out;
}

function headingOf(line: string): { level: number; text: string; cite: string } | undefined {
  const md = /^(#{1,6})\s+(.*)$/.exec(line);
  const body = md ? md[2]!.trim() : line;
  for (const l of LEVELS) {
    const m = l.re.exec(body);
    if (m) {
      // Inline heading: "（一）标题。正文…" — the heading is the first sentence.
      const title = md ? body : (/^[^。！？：:]{1,40}[。：:]?/.exec(body)?.[0] ?? body);
      return { level: l.level, text: title.replace(/[。：:]$/, ''), cite: l.cite(m) };
    }
  }
  if (md) return { level: md[1]!.length === 1 ? 0 : Math.min(md[1]!.length, 6) + 4, text: body, cite: '' };
  return undefined;
}

/**
 * Restore paragraph breaks in run-on text. Some sources (scraped pages, JSONL exports) join
 * paragraphs with single spaces and have no line breaks; a space between two non-ASCII characters
 * never occurs inside a Chinese sentence, so it is taken as a paragraph break. Spaces between
 * Latin words and numbers are kept.
 * @example restoreParagraphs('通知 一、总体要求 1.加强领导。') === '通知\n\n一、总体要求\n\n1.加强领导。'
 */
export function restoreParagraphs(body: string): string {
  const text = body.replace(/\r\n/g, '\n');
  if (text.includes('\n')) return text;
  return text
    .replace(/([^\x00-\x7f]|[.:;!?)\]])[ \t\u3000\u00a0]+(?=[^\x00-\x7f]|\d{1,2}[、.．](?!\d))/g, '$1\n\n')
    .replace(/[ \t\u3000\u00a0]+(?=[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|第[一二三四五六七八九十百零〇]+[章条])/g, '\n\n')
    .trim();
}

/** Walk the body, tracking the heading path, yielding one block per paragraph. */
function blocks(body: string): Block[] {
  const out: Block[] = [];
  let path: Block['headings'] = [];
  const paragraphs = restoreParagraphs(body).split(/\n\s*\n|\n(?=#)|\n(?=[（(][一二三四五六七八九十]+[)）])|\n(?=[一二三四五六七八九十]+、)/);
  for (const raw of paragraphs) {
    const para = raw.replace(/\n(?!\n)/g, '').trim();
    if (!para) continue;
    const h = headingOf(para);
    if (h) {
      path = [...path.filter((p) => p.level < h.level), h];
      // A numbered line that ends a sentence ("3.对受疫情影响的企业减免房租。") is content, not a heading.
      const isPureHeading = /^#/.test(para) || (para.length <= h.text.length + 4 && !/[。！？!?；;]$/.test(para));
      if (isPureHeading) continue;
    }
    out.push({ headings: path, text: para.replace(/^#+\s*/, '') });
  }
  return out;
}

function sectionLabel(headings: Block['headings']): string {
  return headings.map((h) => h.cite).filter(Boolean).join('');
}

/** Greedy sentence packing so no passage exceeds MAX_CHARS. */
function packSentences(text: string): string[] {
  if (text.length <= MAX_CHARS) return [text];
  const parts: string[] = [];
  let cur = '';
  for (const s of splitSentences(text)) {
    if (cur && cur.length + s.length > TARGET_CHARS) {
      parts.push(cur);
      cur = '';
    }
    cur += s;
  }
  if (cur) parts.push(cur);
  return parts;
}

const LEAD_CHARS = 150;

/** The first LEAD_CHARS characters of the document's text, whitespace removed. */
function documentLead(groups: Block[]): string {
  let out = '';
  for (const g of groups) {
    out += g.text.replace(/\s+/g, '');
    if (out.length >= LEAD_CHARS) break;
  }
  return out.slice(0, LEAD_CHARS);
}

const LIST_LEVEL = 5;
const parentPath = (hs: Block['headings']) => hs.filter((h) => h.level < LIST_LEVEL);
const pathKey = (hs: Block['headings']) => hs.map((h) => `${h.cite}:${h.text}`).join('/');

/** Whether block `b` continues the numbered list that `last` holds (same parent headings). */
function isListSibling(last: Block, b: Block): boolean {
  const bLast = b.headings[b.headings.length - 1];
  if (!bLast || bLast.level !== LIST_LEVEL) return false;
  const lastLevel = last.headings[last.headings.length - 1]?.level;
  // `last` is an item of the list or an already merged run of items (its path is the parent's).
  // Or the paragraph that introduces the list ("需提交以下材料：").
  const lastIsList = lastLevel === LIST_LEVEL || /(^|\n)\d{1,2}[、.．](?!\d)/.test(last.text) || /[：:]\s*$/.test(last.text);
  return lastIsList && pathKey(parentPath(last.headings)) === pathKey(parentPath(b.headings));
}

/**
 * Cut a document into passages along its own structure (一、 （一） 第X条 1. and Markdown
 * headings); each passage keeps its heading path so answers can cite 第二部分（三）.
 */
export function chunkDocument(doc: KnowledgeDoc): Passage[] {
  const groups: Block[] = [];
  for (const b of blocks(doc.body)) {
    const last = groups[groups.length - 1];
    const same = last && sectionLabel(last.headings) === sectionLabel(b.headings)
      && last.headings.map((h) => h.text).join('/') === b.headings.map((h) => h.text).join('/');
    if (same && last.text.length + b.text.length <= TARGET_CHARS) last.text += `\n${b.text}`;
    // Numbered items of one list (1. 2. 3. under the same heading) answer one question together
    // (材料有哪些, 措施有哪些): they share a passage, cited by the list's heading.
    else if (last && isListSibling(last, b) && last.text.length + b.text.length <= TARGET_CHARS) {
      groups[groups.length - 1] = { headings: parentPath(last.headings), text: `${last.text}\n${b.text}` };
    }
    // A tiny paragraph (a salutation, a stray sub-title) is not worth a passage of its own: it
    // would win on length normalisation with nothing to answer. It joins the next one.
    else if (last && last.text.length < MIN_CHARS) groups[groups.length - 1] = { headings: b.headings, text: `${last.text}\n${b.text}` };
    else groups.push({ ...b });
  }
  // A tiny last paragraph under the same headings (a byline such as "责任编辑：李瑞", a date) has no
  // next one to join: it joins the one before. A short last item with its own heading stays.
  const tail = groups[groups.length - 1];
  const before = groups[groups.length - 2];
  if (tail && before && tail.text.length < MIN_CHARS && pathKey(tail.headings) === pathKey(before.headings)) {
    groups.pop();
    const prev = groups[groups.length - 1]!;
    groups[groups.length - 1] = { ...prev, text: `${prev.text}\n${tail.text}` };
  }
  const publishedTs = doc.published ? Math.floor(Date.parse(`${doc.published}T00:00:00+08:00`) / 1000) : undefined;
  const passages: Passage[] = [];
  const lead = documentLead(groups);
  for (const g of groups) {
    for (const text of packSentences(g.text)) {
      const order = passages.length;
      passages.push({
        id: `${doc.id}--${order}`,
        docId: doc.id,
        title: doc.title,
        type: doc.type,
        docNo: doc.doc_no,
        issuer: doc.issuer || undefined,
        published: doc.published || undefined,
        publishedTs,
        status: doc.status,
        departments: doc.departments,
        topics: doc.topics,
        interprets: doc.interprets,
        url: doc.source_url,
        headings: g.headings.map((h) => h.text),
        section: sectionLabel(g.headings),
        text,
        order,
        ...(order > 0 && lead ? { context: lead } : {}),
      });
    }
  }
  return passages;
}
