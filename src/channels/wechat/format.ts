import type { Citation, Reply } from '../../dialogue/types.js';

/**
 * Conservative size of one WeChat text message, in characters. WeChat documents no text limit
 * for personal accounts; 600 CJK characters (≈1800 UTF-8 bytes) stays well under the limits
 * seen in practice and keeps each part readable on a phone.
 */
export const DEFAULT_MAX_MESSAGE_CHARS = 600;

/** Markdown that WeChat would show literally, turned into plain text. */
export function stripMarkdown(text: string): string {
  return text
    .replace(/```[a-z]*\n?([\s\S]*?)```/gi, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1（$2）')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\*)/g, '$1$2')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/^\s*[-*+]\s+/gm, '· ')
    .replace(/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** One citation as a short line: 《标题》文号，第X部分 — plus the link on its own line. */
export function formatCitation(c: Citation): string {
  const head = `《${c.title.replace(/^《|》$/g, '')}》${c.doc_no ? c.doc_no : ''}${c.section ? `，${c.section}` : ''}`;
  return c.url ? `${head}\n${c.url}` : head;
}

export interface FormatOptions {
  /** Invite "有用/没用" feedback under an answer. */
  askFeedback?: boolean;
}

/** A dialogue reply as WeChat plain text: body, numbered options, case number, sources. */
export function formatReply(reply: Reply, opts: FormatOptions = {}): string {
  const parts = [stripMarkdown(reply.text)];
  // The dialogue often lists the options in its text already (clarify, suggest, offer): once is enough.
  const listed = reply.options?.every((o, i) => reply.text.includes(`${i + 1}. ${o}`));
  if (reply.options?.length && !listed) {
    parts.push(['请回复序号选择：', ...reply.options.map((o, i) => `${i + 1}. ${stripMarkdown(o)}`)].join('\n'));
  }
  if (reply.caseNumber && !reply.text.includes(reply.caseNumber)) parts.push(`工单编号：${reply.caseNumber}`);
  const seen = new Set<string>();
  const sources = reply.citations.filter((c) => {
    const k = `${c.id}|${c.section ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (sources.length === 1) parts.push(`依据：${formatCitation(sources[0]!)}`);
  else if (sources.length > 1) parts.push(['依据：', ...sources.map((c, i) => `${i + 1}. ${formatCitation(c)}`)].join('\n'));
  if (opts.askFeedback) parts.push('这个回答对您有帮助吗？请回复“有用”或“没用”。');
  return parts.filter(Boolean).join('\n\n');
}

/** Where a sentence may end: Chinese and Western terminators, optionally followed by closers. */
const SENTENCE_END = /[。！？!?；;…\n]+[”’」』）)\]]*/g;
/** Weaker break points, used when one sentence alone is too long. */
const CLAUSE_END = /[，、,：:\s]+/g;

function pieces(text: string, boundary: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(boundary)) {
    const end = m.index + m[0].length;
    if (end > last) out.push(text.slice(last, end));
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Cut by code points so an emoji or rare character is never split in half. */
function hardCut(text: string, max: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += max) out.push(cps.slice(i, i + max).join(''));
  return out;
}

const len = (s: string) => Array.from(s).length;

/** Break `text` into pieces of at most `max` characters, preferring sentence, then clause ends. */
function atoms(text: string, max: number): string[] {
  return pieces(text, SENTENCE_END).flatMap((sentence) =>
    len(sentence) <= max
      ? [sentence]
      : pieces(sentence, CLAUSE_END).flatMap((clause) => (len(clause) <= max ? [clause] : hardCut(clause, max))),
  );
}

/**
 * Split a long message into parts of at most `maxChars` characters (part markers included),
 * at sentence boundaries where possible, in reading order. Parts get a "（1/3）" marker when
 * there is more than one, so a citizen can tell a message continues.
 * @example splitMessage('第一句。第二句。', 5) // ['第一句。（1/2）', '第二句。（2/2）']
 */
export function splitMessage(text: string, maxChars = DEFAULT_MAX_MESSAGE_CHARS): string[] {
  const body = text.trim();
  if (len(body) <= maxChars) return body ? [body] : [];
  const MARK = 9; // room for "（99/99）"
  if (maxChars <= MARK) throw new RangeError('maxChars too small to split with part markers');
  const budget = maxChars - MARK;
  const chunks: string[] = [];
  let current = '';
  for (const atom of atoms(body, budget)) {
    if (len(current) + len(atom) > budget && current.trim()) {
      chunks.push(current.trim());
      current = '';
    }
    current += atom;
  }
  if (current.trim()) chunks.push(current.trim());
  return chunks.map((c, i) => `${c}（${i + 1}/${chunks.length}）`);
}
