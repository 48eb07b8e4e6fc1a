import type { CaseType, Channel } from '../dialogue/types.js';

export type { CaseType } from '../dialogue/types.js';

export const CASE_TYPES = ['consult', 'help', 'complain', 'report', 'suggest'] as const satisfies readonly CaseType[];
export const CASE_TYPE_LABELS: Record<CaseType, string> = {
  consult: '咨询', help: '求助', complain: '投诉', report: '举报', suggest: '建议',
};

export const CASE_STATUSES = ['new', 'dispatched', 'accepted', 'returned', 'replied', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const STATUS_LABELS: Record<CaseStatus, string> = {
  new: '待派单', dispatched: '已派单', accepted: '已签收', returned: '已退单', replied: '已答复', closed: '已办结',
};
/** Statuses in which the case still waits for a department's answer (deadline running). */
export const OPEN_STATUSES: readonly CaseStatus[] = ['new', 'dispatched', 'accepted', 'returned'];

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];
export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意',
};

/** Who acts on a case. Principals (agent/dept/admin) come from auth; citizens from a channel. */
export interface Actor {
  kind: 'citizen' | 'agent' | 'dept' | 'admin' | 'system';
  id: string;
  /** Set for `dept`. */
  departmentId?: string;
}

export const citizenActor = (citizenRef: string): Actor => ({ kind: 'citizen', id: citizenRef });
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system' };

export interface ActorRef {
  kind: Actor['kind'];
  id: string;
}

/** Input of {@link CaseService.create}; mirrors the chat's `CaseDraft` plus where it came from. */
export interface NewCase {
  type: CaseType;
  department?: string;
  summary: string;
  details?: Record<string, string | undefined>;
  excerpt?: Array<{ role: 'user' | 'bot'; text: string }>;
  /** Phone or other contact; stored encrypted, shown masked. */
  contact?: string;
  channel: Channel;
  citizenRef: string;
  /** Same key → same case (a retried request never makes a second case). */
  idempotencyKey: string;
}

export interface CaseReply {
  text: string;
  at: string;
  by: ActorRef;
}

export interface Extension {
  days: number;
  reason: string;
  requestedAt: string;
  requestedBy: ActorRef;
  decision?: 'approved' | 'refused';
  decidedAt?: string;
  decidedBy?: ActorRef;
  note?: string;
}

export interface Urge {
  at: string;
  by: ActorRef;
  /** 催办 before the deadline, 督办 once it has passed. */
  level: '催办' | '督办';
  note?: string;
}

export interface Feedback {
  satisfaction: Satisfaction;
  comment?: string;
  at: string;
  by: ActorRef;
}

/** A case as stored. `contact.enc` never leaves the service except through `revealContact`. */
export interface Case {
  number: string;
  type: CaseType;
  status: CaseStatus;
  department?: string;
  channel: Channel;
  citizenRef: string;
  summary: string;
  details: Record<string, string>;
  excerpt: Array<{ role: 'user' | 'bot'; text: string }>;
  contact?: { enc: string; masked: string };
  createdAt: string;
  updatedAt: string;
  createdBy: ActorRef;
  /** End of the last working day allowed for the reply (China time). */
  deadline: string;
  /** From this instant the case counts as near its deadline. */
  nearDueAt: string;
  dispatchedAt?: string;
  /** Signing-in (签收) is due by then; set on every dispatch. */
  acceptBy?: string;
  acceptedAt?: string;
  repliedAt?: string;
  closedAt?: string;
  replies: CaseReply[];
  returns: Array<{ department: string; reason: string; at: string }>;
  extensions: Extension[];
  urges: Urge[];
  feedback: Feedback[];
  reopenCount: number;
  idempotencyKey: string;
}

export interface AuditEntry {
  at: string;
  actor: ActorRef;
  action: CaseActionKind | 'create' | 'view_contact';
  from?: CaseStatus;
  to?: CaseStatus;
  department?: string;
  reason?: string;
  note?: string;
  /** On `reply`: the deadline in force then (for on-time KPIs). */
  deadline?: string;
}

export type CaseAction =
  /** Without `department`: the one suggested at creation (routing) or the last one. */
  | { kind: 'dispatch'; department?: string; note?: string }
  | { kind: 'accept'; note?: string }
  | { kind: 'return'; reason: string }
  | { kind: 'reply'; text: string }
  | { kind: 'request_extension'; days: number; reason: string }
  | { kind: 'decide_extension'; approve: boolean; note?: string }
  | { kind: 'urge'; note?: string }
  | { kind: 'close'; note?: string }
  | { kind: 'feedback'; satisfaction: Satisfaction; comment?: string }
  | { kind: 'reopen'; reason: string };
export type CaseActionKind = CaseAction['kind'];

/** Something other parties must hear about; written to the events stream with the change. */
export interface CaseEvent {
  /** Unique per event; the webhook's Idempotency-Key. */
  id: string;
  type: 'case.dispatched' | 'case.urged' | 'case.replied';
  number: string;
  department: string;
  at: string;
  level?: Urge['level'];
  reopened?: boolean;
  /** For `case.replied`: where and what to tell the citizen. */
  channel?: Channel;
  citizenRef?: string;
  text?: string;
}

/** What a citizen may see of their own case. */
export interface CitizenCaseView {
  number: string;
  type: CaseType;
  typeLabel: string;
  status: CaseStatus;
  statusLabel: string;
  department?: string;
  departmentName?: string;
  createdAt: string;
  deadline: string;
  reply?: { text: string; at: string };
}

/** A case as staff see it: contact masked, ciphertext removed, overdue flags computed. */
export type CaseView = Omit<Case, 'contact' | 'citizenRef' | 'idempotencyKey'> & {
  /** Absent in departments' views: they reply through the service, never to the citizen directly. */
  citizenRef?: string;
  idempotencyKey?: string;
  contactMasked?: string;
  statusLabel: string;
  typeLabel: string;
  departmentName?: string;
  overdue: boolean;
  nearDue: boolean;
  pendingExtension?: Extension;
};
