import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { Logger } from '../logger.js';
import type { CitizenOutbox } from '../notify/citizen-outbox.js';
import { chinaDay } from './calendar.js';
import type { ContactCipher } from './contact-cipher.js';
import { maskContact } from './contact-cipher.js';
import { deadlineFor, type DeadlinePolicy } from './deadlines.js';
import { CaseConflictError, CaseForbiddenError, CaseInputError, CaseNotFoundError } from './errors.js';
import { computeKpi, type KpiReport } from './kpi.js';
import type { CaseStore } from './store.js';
import {
  CASE_TYPE_LABELS, OPEN_STATUSES, STATUS_LABELS,
  type Actor, type ActorRef, type AuditEntry, type Case, type CaseAction, type CaseEvent, type CaseStatus, type CaseView,
  type CitizenCaseView, type NewCase, type Satisfaction,
} from './types.js';
import { applyAction, canSee, pendingExtension, refOf } from './workflow.js';

export const CASE_NUMBER_RE = /^\d{8}-\d{4,6}$/;

export interface CaseListFilter {
  status?: CaseStatus;
  department?: string;
  overdue?: boolean;
  nearDue?: boolean;
  offset?: number;
  limit?: number;
}

/** The case (工单) service: creation, workflow actions, lookups, listings, KPIs. */
export interface CaseService {
  /**
   * Create a case, idempotently: the same `idempotencyKey` always returns the first case
   * (`created: false` on a repeat), also across processes.
   */
  create(input: NewCase, actor: Actor): Promise<{ case: CaseView; created: boolean }>;
  /** The case, unchecked (internal use); undefined when unknown. */
  get(number: string): Promise<Case | undefined>;
  /** The case as `actor` may see it; {@link CaseNotFoundError} when unknown or not theirs. */
  view(number: string, actor: Actor): Promise<CaseView>;
  audit(number: string, actor: Actor): Promise<AuditEntry[]>;
  /** The clear-text contact, for staff who may see the case; the access is audited. */
  revealContact(number: string, actor: Actor): Promise<string | undefined>;
  /** Status for the citizen who filed it; undefined when unknown or someone else's (no difference shown). */
  lookupForCitizen(number: string, citizenRef: string): Promise<CitizenCaseView | undefined>;
  listForCitizen(citizenRef: string): Promise<CitizenCaseView[]>;
  /** Dispatch (派单) to `department`, or to the one suggested at creation when omitted. */
  dispatch(number: string, input: { department?: string; note?: string }, actor: Actor): Promise<CaseView>;
  accept(number: string, input: { note?: string }, actor: Actor): Promise<CaseView>;
  returnCase(number: string, input: { reason: string }, actor: Actor): Promise<CaseView>;
  reply(number: string, input: { text: string }, actor: Actor): Promise<CaseView>;
  requestExtension(number: string, input: { days: number; reason: string }, actor: Actor): Promise<CaseView>;
  decideExtension(number: string, input: { approve: boolean; note?: string }, actor: Actor): Promise<CaseView>;
  urge(number: string, input: { note?: string }, actor: Actor): Promise<CaseView>;
  close(number: string, input: { note?: string }, actor: Actor): Promise<CaseView>;
  feedback(number: string, input: { satisfaction: Satisfaction; comment?: string }, actor: Actor): Promise<CaseView>;
  reopen(number: string, input: { reason: string }, actor: Actor): Promise<CaseView>;
  /** Cases `actor` may see, newest first; departments only their own. */
  list(filter: CaseListFilter, actor: Actor): Promise<{ items: CaseView[]; total: number }>;
  /** Open cases past their deadline (oldest deadline first). */
  listOverdue(actor?: Actor): Promise<CaseView[]>;
  /** Open cases near, but not yet past, their deadline. */
  listNearDue(actor?: Actor): Promise<CaseView[]>;
  /** Per-department KPIs for cases received on China days `from`..`to` (inclusive). */
  kpi(from: string, to: string): Promise<KpiReport>;
}

export interface CaseServiceDeps {
  store: CaseStore;
  directory: DepartmentDirectory;
  cipher: ContactCipher;
  policy: DeadlinePolicy;
  outbox: CitizenOutbox;
  now: () => Date;
  logger: Logger;
}

const MAX_CAS_RETRIES = 5;
const LIST_SCAN_LIMIT = 2000;

/** The text a citizen receives when a department answers their case. */
export function citizenReplyText(e: Pick<CaseEvent, 'number' | 'text'>, departmentName: string): string {
  return `您的工单 ${e.number} 已由${departmentName}答复：\n${e.text}`;
}

/** Departments see that a citizen acted, not which channel identity they have. */
const hideCitizen = (a: ActorRef): ActorRef => (a.kind === 'citizen' ? { kind: 'citizen', id: '市民' } : a);

export function createCaseService(deps: CaseServiceDeps): CaseService {
  const { store, directory, policy, now } = deps;
  const deptName = (id?: string) => (id ? directory.get(id)?.name : undefined);

  /** Staff view; departments do not get the citizen's channel reference or internal keys. */
  const toView = (c: Case, actor?: Actor): CaseView => {
    const { contact, citizenRef, idempotencyKey, ...all } = c;
    const rest = actor?.kind === 'dept'
      ? { ...all, createdBy: hideCitizen(all.createdBy), feedback: all.feedback.map((f) => ({ ...f, by: hideCitizen(f.by) })) }
      : all;
    const t = now().getTime();
    const open = OPEN_STATUSES.includes(c.status);
    const pending = pendingExtension(c);
    return {
      ...rest,
      ...(actor?.kind === 'dept' ? {} : { citizenRef, idempotencyKey }),
      ...(contact ? { contactMasked: contact.masked } : {}),
      statusLabel: STATUS_LABELS[c.status],
      typeLabel: CASE_TYPE_LABELS[c.type],
      ...(c.department ? { departmentName: deptName(c.department) } : {}),
      overdue: open && t > Date.parse(c.deadline),
      nearDue: open && t >= Date.parse(c.nearDueAt) && t <= Date.parse(c.deadline),
      ...(pending ? { pendingExtension: pending } : {}),
    };
  };

  const toCitizenView = (c: Case): CitizenCaseView => {
    const reply = c.status === 'replied' || c.status === 'closed' ? c.replies.at(-1) : undefined;
    return {
      number: c.number,
      type: c.type,
      typeLabel: CASE_TYPE_LABELS[c.type],
      status: c.status,
      statusLabel: STATUS_LABELS[c.status],
      ...(c.department && c.dispatchedAt ? { department: c.department, departmentName: deptName(c.department) } : {}),
      createdAt: c.createdAt,
      deadline: c.deadline,
      ...(reply ? { reply: { text: reply.text, at: reply.at } } : {}),
    };
  };

  async function load(number: string, actor: Actor) {
    const found = CASE_NUMBER_RE.test(number) ? await store.get(number) : undefined;
    if (!found || !canSee(found.case, actor)) throw new CaseNotFoundError();
    return found;
  }

  /** Deliver a reply to the citizen now; the notifier re-delivers from the stream if this fails. */
  async function notifyCitizen(events: CaseEvent[]) {
    for (const e of events) {
      if (e.type !== 'case.replied' || !e.channel || !e.citizenRef) continue;
      await deps.outbox
        .enqueue(
          { channel: e.channel, citizenRef: e.citizenRef, kind: 'case_reply', text: citizenReplyText(e, deptName(e.department) ?? e.department), caseNumber: e.number },
          `case-reply:${e.id}`,
        )
        .catch((err) => deps.logger.warn('citizen reply not enqueued now; the notifier will retry', { err, case: e.number }));
    }
  }

  async function act(number: string, action: CaseAction, actor: Actor): Promise<CaseView> {
    for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
      const { case: c, version } = await load(number, actor);
      const t = applyAction(c, action, actor, {
        now: now(),
        policy,
        departmentExists: (id) => directory.get(id) !== undefined,
        nextVersion: version + 1,
      });
      if (await store.commit(version, c, t.next, t.audit, t.events)) {
        await notifyCitizen(t.events);
        return toView(t.next, actor);
      }
    }
    throw new CaseConflictError('concurrent_update', '工单正在被他人修改，请稍后重试');
  }

  async function viewsOf(numbers: string[], actor: Actor) {
    return (await store.getMany(numbers)).filter((c) => canSee(c, actor)).map((c) => toView(c, actor));
  }

  const staff: Actor = { kind: 'system', id: 'list' };

  return {
    async create(input, actor) {
      if (!['citizen', 'agent', 'admin', 'system'].includes(actor.kind)) throw new CaseForbiddenError();
      if (input.department && !directory.get(input.department)) throw new CaseInputError('department', '部门不存在');
      const at = now();
      const iso = at.toISOString();
      const details = Object.fromEntries(Object.entries(input.details ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
      const contact = input.contact?.trim();
      const doc: Omit<Case, 'number'> = {
        type: input.type,
        status: 'new',
        ...(input.department ? { department: input.department } : {}),
        channel: input.channel,
        citizenRef: input.citizenRef,
        summary: input.summary,
        details,
        excerpt: input.excerpt ?? [],
        ...(contact ? { contact: { enc: await deps.cipher.encrypt(contact), masked: maskContact(contact) } } : {}),
        createdAt: iso,
        updatedAt: iso,
        createdBy: refOf(actor),
        ...deadlineFor(policy, input.type, at),
        replies: [],
        returns: [],
        extensions: [],
        urges: [],
        feedback: [],
        reopenCount: 0,
        idempotencyKey: input.idempotencyKey,
      };
      const audit: AuditEntry = { at: iso, actor: refOf(actor), action: 'create', to: 'new', ...(input.department ? { department: input.department } : {}) };
      const { number, created } = await store.create(doc, chinaDay(at), audit, input.idempotencyKey);
      const stored = await store.get(number);
      if (!stored) throw new Error(`case ${number} missing right after creation`);
      return { case: toView(stored.case), created };
    },
    async get(number) {
      return CASE_NUMBER_RE.test(number) ? (await store.get(number))?.case : undefined;
    },
    async view(number, actor) {
      return toView((await load(number, actor)).case, actor);
    },
    async audit(number, actor) {
      await load(number, actor);
      const entries = await store.audit(number);
      return actor.kind === 'dept' ? entries.map((e) => ({ ...e, actor: hideCitizen(e.actor) })) : entries;
    },
    async revealContact(number, actor) {
      if (!['agent', 'admin', 'dept'].includes(actor.kind)) throw new CaseForbiddenError();
      const { case: c } = await load(number, actor);
      if (!c.contact) return undefined;
      await store.appendAudit(number, { at: now().toISOString(), actor: refOf(actor), action: 'view_contact' });
      return deps.cipher.decrypt(c.contact.enc);
    },
    async lookupForCitizen(number, citizenRef) {
      const c = CASE_NUMBER_RE.test(number.trim()) ? (await store.get(number.trim()))?.case : undefined;
      return c && c.citizenRef === citizenRef ? toCitizenView(c) : undefined;
    },
    async listForCitizen(citizenRef) {
      const { numbers } = await store.latest({ kind: 'citizen', citizenRef }, 0, 50);
      return (await store.getMany(numbers)).filter((c) => c.citizenRef === citizenRef).map(toCitizenView);
    },
    dispatch: (n, i, a) => act(n, { kind: 'dispatch', ...(i.department ? { department: i.department } : {}), ...(i.note ? { note: i.note } : {}) }, a),
    accept: (n, i, a) => act(n, { kind: 'accept', ...(i.note ? { note: i.note } : {}) }, a),
    returnCase: (n, i, a) => act(n, { kind: 'return', reason: i.reason }, a),
    reply: (n, i, a) => act(n, { kind: 'reply', text: i.text }, a),
    requestExtension: (n, i, a) => act(n, { kind: 'request_extension', days: i.days, reason: i.reason }, a),
    decideExtension: (n, i, a) => act(n, { kind: 'decide_extension', approve: i.approve, ...(i.note ? { note: i.note } : {}) }, a),
    urge: (n, i, a) => act(n, { kind: 'urge', ...(i.note ? { note: i.note } : {}) }, a),
    close: (n, i, a) => act(n, { kind: 'close', ...(i.note ? { note: i.note } : {}) }, a),
    feedback: (n, i, a) => act(n, { kind: 'feedback', satisfaction: i.satisfaction, ...(i.comment ? { comment: i.comment } : {}) }, a),
    reopen: (n, i, a) => act(n, { kind: 'reopen', reason: i.reason }, a),
    async list(filter, actor) {
      const offset = filter.offset ?? 0;
      const limit = Math.min(filter.limit ?? 50, 200);
      const department = actor.kind === 'dept' ? actor.departmentId : filter.department;
      if (actor.kind === 'dept' && filter.department && filter.department !== actor.departmentId) return { items: [], total: 0 };
      const index = department
        ? ({ kind: 'dept', department } as const)
        : filter.status
          ? ({ kind: 'status', status: filter.status } as const)
          : ({ kind: 'all' } as const);
      const simple = !filter.overdue && !filter.nearDue && !(department && filter.status);
      if (simple) {
        const { numbers, total } = await store.latest(index, offset, limit);
        return { items: await viewsOf(numbers, actor), total };
      }
      // Combined filters: scan the newest part of the index and filter here.
      const { numbers } = await store.latest(index, 0, LIST_SCAN_LIMIT);
      const all = (await viewsOf(numbers, actor)).filter(
        (v) =>
          (!filter.status || v.status === filter.status) &&
          (!filter.overdue || v.overdue) &&
          (!filter.nearDue || v.nearDue),
      );
      return { items: all.slice(offset, offset + limit), total: all.length };
    },
    async listOverdue(actor = staff) {
      const numbers = await store.range({ kind: 'open' }, '-inf', now().getTime() - 1);
      return (await viewsOf(numbers, actor)).filter((v) => v.overdue);
    },
    async listNearDue(actor = staff) {
      const numbers = await store.range({ kind: 'neardue' }, '-inf', now().getTime());
      return (await viewsOf(numbers, actor)).filter((v) => v.nearDue).sort((a, b) => a.deadline.localeCompare(b.deadline));
    },
    async kpi(from, to) {
      return computeKpi({ store, directory, policy, now: now() }, from, to);
    },
  };
}
