import type { Passage } from '../knowledge/schema.js';
import type { RetrievalHit } from '../retrieval/types.js';

export type Channel = 'web' | 'wechat' | 'panel';

export const INTENTS = [
  'consult', 'help', 'complain', 'report', 'suggest', 'human', 'case_status', 'greet', 'thanks', 'bye', 'other',
] as const;
export type Intent = (typeof INTENTS)[number];
export type CaseType = 'consult' | 'help' | 'complain' | 'report' | 'suggest';

export interface Citation {
  id: string;
  title: string;
  doc_no?: string;
  issuer?: string;
  published?: string;
  section?: string;
  url?: string;
}

export interface Reply {
  text: string;
  citations: Citation[];
  /** 0..1 for answers from the knowledge base; absent for canned replies. */
  confidence?: number;
  /** Quick replies the channel may show as buttons (a number or the text picks one). */
  options?: string[];
  /** Case number when this reply announces or reports a case. */
  caseNumber?: string;
}

/** What the engine did with the turn; logged and used for topics. */
export type Action =
  | 'answer' | 'clarify' | 'choices' | 'fallback_rephrase' | 'fallback_offer' | 'collect' | 'confirm' | 'case_created'
  | 'case_status' | 'handoff' | 'smalltalk' | 'cancelled' | 'unavailable';

/** Details collected for a case before hand-off. */
export interface CaseDraft {
  type: CaseType;
  department?: string;
  summary: string;
  details: { what?: string; where?: string; when?: string; [k: string]: string | undefined };
  contact?: string;
  excerpt: Array<{ role: 'user' | 'bot'; text: string }>;
}

/** Side effects the engine asks the runner to carry out; the engine itself does no writes. */
export type Effect =
  | { kind: 'create_case'; idempotencyKey: string; draft: CaseDraft }
  | { kind: 'handoff_human'; reason: string };

export interface PendingClarify {
  kind: 'clarify';
  query: string;
  options: Array<{ label: string; docId: string; passageId: string; hit: RetrievalHit }>;
  /**
   * The options are suggestions from a search not sure enough to answer (`choices`): one more
   * choice, "都不是", follows them and offers a case or the hotline.
   */
  none?: boolean;
}
/** We could not answer and offered a case or the hotline; `question` is what was asked. */
export interface PendingOffer {
  kind: 'offer';
  question: string;
}
export interface PendingCollect {
  kind: 'collect';
  draft: CaseDraft;
  /** Slot being asked for now, or 'confirm' when waiting for yes/no. */
  asking: 'what' | 'where' | 'when' | 'contact' | 'confirm';
  /** Slots already asked once (optional ones are not asked twice). */
  asked: string[];
  /** Idempotency key of the case this draft becomes: fixed when the draft starts. */
  draftKey: string;
}

export interface DialogueState {
  sessionId: string;
  channel: Channel;
  /** Pseudonymous reference of the citizen on that channel (web session, WeChat contact id hash). */
  citizenRef: string;
  turn: number;
  history: Array<{ role: 'user' | 'bot'; text: string }>;
  /** What the last answered question was about, for follow-ups. */
  topic?: { query: string; docId?: string; title?: string };
  pending?: PendingClarify | PendingCollect | PendingOffer;
  /** Consecutive turns we could not answer (fallback ladder). */
  misses: number;
  /** Case numbers created in this session (status lookups are limited to these). */
  cases: string[];
}

export interface TurnResult {
  replies: Reply[];
  effects: Effect[];
  state: DialogueState;
  intent: Intent;
  action: Action;
  /** Retrieval evidence for the question log. */
  retrieved?: Array<{ docId: string; passageId: string; score: number }>;
  department?: string;
}

export function citationOf(p: Passage): Citation {
  return {
    id: p.docId,
    title: p.title,
    ...(p.docNo ? { doc_no: p.docNo } : {}),
    ...(p.issuer ? { issuer: p.issuer } : {}),
    ...(p.published ? { published: p.published } : {}),
    ...(p.section ? { section: p.section } : {}),
    ...(p.url ? { url: p.url } : {}),
  };
}

export function newState(sessionId: string, channel: Channel, citizenRef: string): DialogueState {
  return { sessionId, channel, citizenRef, turn: 0, history: [], misses: 0, cases: [] };
}
