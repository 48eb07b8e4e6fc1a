import { SearchUnavailableError, type RetrievalHit, type RetrievalResult, type Retriever } from '../retrieval/types.js';
import { answerText, confirmText, intro, SLOT_QUESTION, smalltalk, TEXT, TYPE_LABEL } from './replies.js';
import {
  citationOf,
  type Action,
  type CaseDraft,
  type CaseType,
  type DialogueState,
  type Effect,
  type Intent,
  type PendingCollect,
  type Reply,
  type TurnResult,
} from './types.js';

export interface Classification {
  intent: Intent;
  confidence: number;
}

export interface CaseStatusView {
  number: string;
  type: CaseType;
  statusLabel: string;
  departmentName?: string;
  deadline?: string;
  reply?: string;
}

/** Read-only collaborators the engine consults; it performs no writes itself. */
export interface DialogueDeps {
  classify(text: string): Classification;
  retriever: Retriever;
  /** Responsible department for a request, if one can be determined. */
  route?(text: string): { department?: string; confidence: number };
  departmentName?(id: string): string | undefined;
  /** Status of a case, only if it belongs to this citizen. */
  lookupCase?(number: string, citizenRef: string): Promise<CaseStatusView | undefined>;
  /** Minimum retrieval confidence to answer instead of saying "not found". */
  answerThreshold?: number;
  /**
   * Minimum retrieval confidence, below `answerThreshold`, to offer the best documents as choices
   * ("您想问的是不是…") instead of saying "not found"; unset: never.
   */
  suggestThreshold?: number;
  /** The same when the first hit holds some of the question's policy vocabulary (`topicCoverage` > 0); unset: `suggestThreshold`. */
  suggestWithVocabularyThreshold?: number;
  now(): Date;
}

const DEFAULT_THRESHOLD = 0.35;
/** Second-best document within this ratio of the best counts as "close". */
const CLOSE_RATIO = 0.97;
const HISTORY_LIMIT = 12;
/** Below this routing confidence a case goes to 12345 for manual dispatch (right only ~31% there). */
const MIN_ROUTE_CONFIDENCE = 0.3;

const CANCEL = /^(取消|算了|不用了|不要了|不登记了?|不提交了?|不了|退出)[。！!]*$/;
const YES = /^(是|是的|对|对的|确认|确定|提交|好|好的|可以|行|嗯|嗯嗯|ok|OK|没问题|中)[。！!]*$/;
const NO = /^(不|不是|不对|否|错了|不确认)[。！!]*$/;
const SKIP = /^(跳过|不方便|不用|没有|不留|不想留|算了|无|不知道|不清楚|忘了)[。！!]*$/;
const CASE_NUMBER = /(\d{8})\s*[-－—]\s*(\d{4,5})/;
const PHONE = /(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)/;
const FOLLOW_UP = /^(那|那么|那要|那需要|还有|另外|然后|它|这个|那个|这些|那些|如果|要是|需要|要带|多久|多长时间|在哪)/;

type Turn = { state: DialogueState; intent: Intent };

function begin(state: DialogueState, message: string): DialogueState {
  return { ...state, turn: state.turn + 1, history: [...state.history, { role: 'user' as const, text: message }].slice(-HISTORY_LIMIT) };
}

function finish(
  t: Turn,
  replies: Reply[],
  action: Action,
  extra: Partial<Pick<TurnResult, 'effects' | 'retrieved' | 'department'>> = {},
): TurnResult {
  const history = [...t.state.history, ...replies.map((r) => ({ role: 'bot' as const, text: r.text }))].slice(-HISTORY_LIMIT);
  return { replies, effects: extra.effects ?? [], state: { ...t.state, history }, intent: t.intent, action, retrieved: extra.retrieved, department: extra.department };
}

function evidence(result: RetrievalResult) {
  return result.hits.map((h) => ({ docId: h.passage.docId, passageId: h.passage.id, score: h.score }));
}

/** Parse "1", "２", "第一个", "一" or the option text into an index. */
export function pickOption(message: string, labels: string[]): number | undefined {
  const m = message.trim().replace(/[。！!.、]$/, '');
  const digits = '０１２３４５６７８９';
  const ascii = m.replace(/[０-９]/g, (d) => String(digits.indexOf(d)));
  const cn = ['一', '二', '三', '四', '五'];
  const num = /^(?:第)?(\d|[一二三四五])(?:个|项|条|种)?$/.exec(ascii);
  if (num) {
    const n = /\d/.test(num[1]!) ? Number(num[1]) : cn.indexOf(num[1]!) + 1;
    if (n >= 1 && n <= labels.length) return n - 1;
  }
  const byText = labels.findIndex((l) => m.length >= 2 && (l.includes(m) || m.includes(l)));
  return byText >= 0 ? byText : undefined;
}

function optionLabel(hit: RetrievalHit): string {
  const p = hit.passage;
  const head = p.headings[p.headings.length - 1];
  return head && head !== p.title ? `《${p.title}》${head}` : `《${p.title}》`;
}

/** The best hit of each document, best first. */
function distinctDocs(hits: RetrievalHit[]): RetrievalHit[] {
  const byDoc: RetrievalHit[] = [];
  for (const h of hits) if (!byDoc.some((b) => b.passage.docId === h.passage.docId)) byDoc.push(h);
  return byDoc;
}

/** Documents offered when a search is not sure enough to answer (action `choices`). */
const SUGGESTIONS = 3;

/**
 * Whether a search result gets the best documents offered as choices: not sure enough to answer,
 * but at least `suggestThreshold` sure — or `suggestWithVocabularyThreshold` when the first hit
 * holds some of the question's policy vocabulary.
 */
export function offersChoices(
  result: Pick<RetrievalResult, 'confidence' | 'topicCoverage'>,
  t: Pick<DialogueDeps, 'answerThreshold' | 'suggestThreshold' | 'suggestWithVocabularyThreshold'>,
): boolean {
  const floor = (result.topicCoverage ?? 0) > 0 ? (t.suggestWithVocabularyThreshold ?? t.suggestThreshold) : t.suggestThreshold;
  return floor !== undefined && result.confidence >= floor && result.confidence < (t.answerThreshold ?? DEFAULT_THRESHOLD);
}

/** Distinct documents among the hits, best first, when the top ones are too close to call. */
function ambiguousCandidates(result: RetrievalResult, message: string): RetrievalHit[] | undefined {
  const byDoc = distinctDocs(result.hits);
  if (byDoc.length < 2) return undefined;
  const [a, b] = byDoc as [RetrievalHit, RetrievalHit];
  const short = result.normalized.replace(/\s+/g, '').length <= 6 || message.replace(/\s+/g, '').length <= 6;
  const close = a.score > 0 && b.score / a.score >= CLOSE_RATIO;
  return short && close ? byDoc.slice(0, 3) : undefined;
}

function answerReply(hit: RetrievalHit, confidence: number): Reply {
  return { text: answerText(hit), citations: [citationOf(hit.passage)], confidence };
}

async function consult(deps: DialogueDeps, t: Turn, message: string): Promise<TurnResult> {
  const s = t.state;
  const threshold = deps.answerThreshold ?? DEFAULT_THRESHOLD;
  const followUp = Boolean(s.topic && FOLLOW_UP.test(message) && message.length <= 30);
  const query = followUp ? `${s.topic!.query} ${message}` : message;
  let result: RetrievalResult;
  try {
    result = await deps.retriever.search(query, { limit: 5 });
    // A follow-up prefers the document the conversation is about.
    if (followUp && s.topic?.docId) {
      const inDoc = await deps.retriever.search(query, { limit: 3, filters: { docId: s.topic.docId } });
      if (inDoc.hits[0] && inDoc.confidence >= threshold) result = inDoc;
    }
  } catch (err) {
    if (!(err instanceof SearchUnavailableError)) throw err;
    const state = { ...s, pending: { kind: 'offer' as const, question: message } };
    return finish({ ...t, state }, [{ text: TEXT.unavailable, citations: [], options: [...TEXT.offerOptions] }], 'unavailable');
  }
  const top = result.hits[0];
  if (top && offersChoices(result, deps)) {
    // Not sure enough to answer, but the right document is usually among the first few: let the
    // citizen choose, with "none of these" leading to a case or the hotline.
    const docs = distinctDocs(result.hits).slice(0, SUGGESTIONS);
    const labels = docs.map(optionLabel);
    const state: DialogueState = {
      ...s,
      misses: s.misses + 1,
      pending: { kind: 'clarify', query: message, none: true, options: docs.map((h, i) => ({ label: labels[i]!, docId: h.passage.docId, passageId: h.passage.id, hit: h })) },
    };
    const all = [...labels, TEXT.noneOption];
    const text = `${TEXT.suggest}\n${all.map((l, i) => `${i + 1}. ${l}`).join('\n')}`;
    return finish({ ...t, state }, [{ text, citations: [], options: all, confidence: result.confidence }], 'choices', { retrieved: evidence(result) });
  }
  if (!top || result.confidence < threshold) {
    const misses = s.misses + 1;
    if (misses >= 2) {
      const state = { ...s, misses, pending: { kind: 'offer' as const, question: message } };
      return finish({ ...t, state }, [{ text: TEXT.offer, citations: [], options: [...TEXT.offerOptions], confidence: result.confidence }], 'fallback_offer', { retrieved: evidence(result) });
    }
    return finish({ ...t, state: { ...s, misses } }, [{ text: `${TEXT.noAnswer}${TEXT.rephrase}`, citations: [], confidence: result.confidence }], 'fallback_rephrase', { retrieved: evidence(result) });
  }
  const candidates = followUp ? undefined : ambiguousCandidates(result, message);
  if (candidates) {
    const labels = candidates.map(optionLabel);
    const state: DialogueState = {
      ...s,
      misses: 0,
      pending: {
        kind: 'clarify',
        query: message,
        options: candidates.map((h, i) => ({ label: labels[i]!, docId: h.passage.docId, passageId: h.passage.id, hit: h })),
      },
    };
    const text = `${TEXT.clarify}\n${labels.map((l, i) => `${i + 1}. ${l}`).join('\n')}`;
    return finish({ ...t, state }, [{ text, citations: [], options: labels, confidence: result.confidence }], 'clarify', { retrieved: evidence(result) });
  }
  const state: DialogueState = { ...s, misses: 0, pending: undefined, topic: { query: followUp ? s.topic!.query : result.normalized || message, docId: top.passage.docId, title: top.passage.title } };
  return finish({ ...t, state }, [answerReply(top, result.confidence)], 'answer', { retrieved: evidence(result) });
}

function firstSentence(text: string, max = 60): string {
  const s = text.split(/[。！？!?\n]/)[0] ?? text;
  return (s.length > max ? `${s.slice(0, max)}…` : s).trim();
}

/** A message says more than "I want to complain" when it has content beyond the request verb. */
function describesMatter(message: string): boolean {
  const stripped = message.replace(/(我|俺|咱)?(要|想|想要|需要)?(投诉|举报|求助|反映|建议|提个?建议|提意见|转人工|找人工|人工)(一下)?|[，。！？!?,.\s]|请|帮忙|帮我|你好|您好/g, '');
  return stripped.length >= 6;
}

function nextSlot(draft: CaseDraft, asked: Set<string>): PendingCollect['asking'] {
  if (!draft.details.what) return 'what';
  const needsPlace = draft.type === 'complain' || draft.type === 'report' || draft.type === 'help';
  if (needsPlace && !draft.details.where && !asked.has('where')) return 'where';
  const needsTime = draft.type === 'complain' || draft.type === 'report';
  if (needsTime && !draft.details.when && !asked.has('when')) return 'when';
  if (!draft.contact && !asked.has('contact')) return 'contact';
  return 'confirm';
}


function withRoute(deps: DialogueDeps, draft: CaseDraft): CaseDraft {
  const text = [draft.details.what, draft.details.where].filter(Boolean).join(' ');
  const routed = deps.route?.(text);
  // A weak guess is worse than none: the 12345 agent dispatches unrouted cases by hand.
  return routed?.department && routed.confidence >= MIN_ROUTE_CONFIDENCE ? { ...draft, department: routed.department } : draft;
}

function askNext(deps: DialogueDeps, t: Turn, draft: CaseDraft, draftKey: string, askedBefore: string[], lead?: string): TurnResult {
  const slot = nextSlot(draft, new Set(askedBefore));
  const routed = slot === 'confirm' ? withRoute(deps, draft) : draft;
  const asked = slot === 'confirm' || askedBefore.includes(slot) ? askedBefore : [...askedBefore, slot];
  const pending: PendingCollect = { kind: 'collect', draft: routed, asking: slot, asked, draftKey };
  const question = slot === 'confirm' ? confirmText(routed, routed.department ? deps.departmentName?.(routed.department) : undefined) : SLOT_QUESTION[slot](draft.type);
  const text = lead ? `${lead}\n${question}` : question;
  const options = slotOptions(slot);
  return finish({ ...t, state: { ...t.state, pending } }, [{ text, citations: [], ...(options ? { options } : {}) }], slot === 'confirm' ? 'confirm' : 'collect', { department: routed.department });
}

function startCollect(deps: DialogueDeps, t: Turn, type: CaseType, message: string, lead = intro(type)): TurnResult {
  const excerpt = t.state.history.slice(-6);
  const what = describesMatter(message) ? message : undefined;
  const draft: CaseDraft = { type, summary: what ? firstSentence(what) : TYPE_LABEL[type], details: what ? { what } : {}, excerpt };
  // A fresh draft gets its own idempotency key: the session and the turn it started on.
  const state: DialogueState = { ...t.state, pending: undefined };
  return askNext(deps, { ...t, state }, draft, `${state.sessionId}:${state.turn}`, [], lead);
}

/** Quick-reply options shown at a slot; a number reply picks one of them. */
function slotOptions(asking: PendingCollect['asking']): string[] | undefined {
  return asking === 'confirm' ? ['确认', '取消'] : asking === 'contact' ? ['跳过'] : undefined;
}

function continueCollect(deps: DialogueDeps, t: Turn, pending: PendingCollect, message: string): TurnResult {
  const options = slotOptions(pending.asking);
  const picked = options && /^\s*(第)?[0-9０-９一二三]\s*(个|项)?\s*$/.test(message) ? pickOption(message, options) : undefined;
  const msg = picked !== undefined ? options![picked]! : message.trim();
  if (CANCEL.test(msg) || (pending.asking === 'confirm' && NO.test(msg))) {
    return finish({ ...t, state: { ...t.state, pending: undefined } }, [{ text: TEXT.cancelled, citations: [] }], 'cancelled');
  }
  const draft: CaseDraft = { ...pending.draft, details: { ...pending.draft.details }, excerpt: t.state.history.slice(-8) };
  switch (pending.asking) {
    case 'what':
      draft.details.what = msg;
      draft.summary = firstSentence(msg);
      break;
    case 'where':
    case 'when':
      if (!SKIP.test(msg)) draft.details[pending.asking] = msg;
      break;
    case 'contact': {
      if (!SKIP.test(msg)) {
        const phone = PHONE.exec(msg)?.[1];
        draft.contact = phone ?? (msg.length <= 40 ? msg : undefined);
      }
      break;
    }
    case 'confirm': {
      if (!YES.test(msg)) {
        const state = { ...t.state, pending };
        return finish({ ...t, state }, [{ text: '请回复“确认”提交，或回复“取消”放弃登记。', citations: [], options: ['确认', '取消'] }], 'confirm');
      }
      const final = withRoute(deps, draft);
      const effect: Effect = { kind: 'create_case', idempotencyKey: pending.draftKey, draft: final };
      // The runner replaces this reply with the case number once the case is stored; until
      // then the draft stays pending so nothing is lost if storing fails.
      return finish({ ...t, state: { ...t.state, pending } }, [], 'case_created', { effects: [effect], department: final.department });
    }
  }
  return askNext(deps, t, draft, pending.draftKey, pending.asked);
}

async function caseStatus(deps: DialogueDeps, t: Turn, message: string): Promise<TurnResult> {
  const m = CASE_NUMBER.exec(message);
  const s = t.state;
  if (!m) {
    if (s.cases.length > 0 && deps.lookupCase) {
      const views = (await Promise.all(s.cases.slice(-3).map((n) => deps.lookupCase!(n, s.citizenRef)))).filter(Boolean) as CaseStatusView[];
      if (views.length > 0) return finish(t, views.map(statusReply), 'case_status');
    }
    return finish(t, [{ text: TEXT.askCaseNumber, citations: [] }], 'case_status');
  }
  const number = `${m[1]}-${m[2]}`;
  const view = await deps.lookupCase?.(number, s.citizenRef);
  if (!view) return finish(t, [{ text: TEXT.caseNotFound(number), citations: [] }], 'case_status');
  return finish(t, [statusReply(view)], 'case_status');
}

function statusReply(v: CaseStatusView): Reply {
  const lines = [
    `工单 ${v.number}（${TYPE_LABEL[v.type]}）`,
    `当前状态：${v.statusLabel}`,
    ...(v.departmentName ? [`承办部门：${v.departmentName}`] : []),
    ...(v.deadline ? [`办理时限：${v.deadline}前`] : []),
    ...(v.reply ? [`部门答复：${v.reply}`] : []),
  ];
  return { text: lines.join('\n'), citations: [], caseNumber: v.number };
}

function resolveOffer(deps: DialogueDeps, t: Turn, question: string, message: string): TurnResult | undefined {
  const pick = pickOption(message, [...TEXT.offerOptions]);
  const s = { ...t.state, pending: undefined };
  if (pick === 0 || YES.test(message.trim()) || /登记|留言|工单/.test(message)) {
    return startCollect(deps, { ...t, state: s }, 'consult', question, '好的，我来帮您登记咨询工单，转给责任部门答复。');
  }
  if (pick === 1 || /12345|热线|电话/.test(message)) return finish({ ...t, state: s }, [{ text: TEXT.hotline, citations: [] }], 'handoff');
  return undefined;
}

/**
 * Handle one citizen turn: classify, answer or ask, and return replies plus effects.
 * Pure apart from the read-only `deps`: writes (cases, logs, session) are the runner's job.
 */
export async function handleTurn(deps: DialogueDeps, state: DialogueState, message: string): Promise<TurnResult> {
  const s = begin(state, message);
  const pending = s.pending;
  if (pending?.kind === 'collect') {
    return continueCollect(deps, { state: s, intent: pending.draft.type === 'consult' ? 'consult' : pending.draft.type }, pending, message);
  }
  if (pending?.kind === 'clarify') {
    const i = pickOption(message, [...pending.options.map((o) => o.label), ...(pending.none ? [TEXT.noneOption] : [])]);
    if (i !== undefined && i === pending.options.length) {
      // "None of these": offer a case or the hotline for the question as asked.
      const state: DialogueState = { ...s, pending: { kind: 'offer', question: pending.query } };
      return finish({ state, intent: 'consult' }, [{ text: TEXT.offer, citations: [], options: [...TEXT.offerOptions] }], 'fallback_offer');
    }
    if (i !== undefined) {
      const o = pending.options[i]!;
      const state: DialogueState = { ...s, pending: undefined, misses: 0, topic: { query: pending.query, docId: o.docId, title: o.hit.passage.title } };
      return finish({ state, intent: 'consult' }, [answerReply(o.hit, o.hit.score)], 'answer', {
        retrieved: [{ docId: o.docId, passageId: o.passageId, score: o.hit.score }],
      });
    }
  }
  const cleared: DialogueState = { ...s, pending: undefined };
  if (pending?.kind === 'offer') {
    const r = resolveOffer(deps, { state: cleared, intent: 'consult' }, pending.question, message);
    if (r) return r;
  }
  const { intent } = deps.classify(message);
  const t: Turn = { state: cleared, intent };
  switch (intent) {
    case 'consult':
      return consult(deps, t, message);
    case 'help':
    case 'complain':
    case 'report':
    case 'suggest':
      return startCollect(deps, t, intent, message);
    case 'human':
      return startCollect(deps, t, 'consult', lastQuestion(state) ?? message, TEXT.humanIntro);
    case 'case_status':
      return caseStatus(deps, t, message);
    case 'greet':
    case 'thanks':
    case 'bye':
    case 'other':
      return finish(t, [{ text: smalltalk(intent), citations: [] }], 'smalltalk');
  }
}

/** The citizen's previous question, carried into a hand-off so they needn't repeat it. */
function lastQuestion(state: DialogueState): string | undefined {
  return state.topic?.query ?? (state.pending?.kind === 'offer' ? state.pending.question : undefined);
}
