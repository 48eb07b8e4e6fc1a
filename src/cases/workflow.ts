import { acceptByFor, deadlineFor, extendDeadline, type DeadlinePolicy } from './deadlines.js';
import { CaseConflictError, CaseForbiddenError, CaseInputError, CaseNotFoundError, IllegalTransitionError } from './errors.js';
import type { Actor, ActorRef, AuditEntry, Case, CaseAction, CaseEvent, CaseStatus } from './types.js';

/**
 * The case state machine, pure: given a case, an action and who does it, return the next case,
 * the audit entry and the events to publish — or throw a typed error. Persistence is elsewhere.
 *
 * | action            | from                    | to         | who            |
 * |-------------------|-------------------------|------------|----------------|
 * | dispatch          | new, returned           | dispatched | agent, admin   |
 * | accept (签收)      | dispatched              | accepted   | own department |
 * | return (退单)      | dispatched, accepted    | returned   | own department |
 * | reply (答复)       | accepted                | replied    | own department |
 * | request_extension | accepted                | (same)     | own department |
 * | decide_extension  | any open, one pending   | (same)     | agent, admin   |
 * | urge (催办/督办)    | dispatched, accepted    | (same)     | agent, admin   |
 * | close (办结)       | replied                 | closed     | agent, admin   |
 * | feedback (回访)    | replied, closed         | (same)     | agent, admin, the citizen |
 * | reopen (重办)      | replied, closed + 不满意 | dispatched | agent, admin   |
 */
export interface WorkflowContext {
  now: Date;
  policy: DeadlinePolicy;
  departmentExists(id: string): boolean;
  /** The version the case will have after this action; makes event ids unique. */
  nextVersion: number;
}

export interface Transition {
  next: Case;
  audit: AuditEntry;
  events: CaseEvent[];
}

const STAFF: ReadonlyArray<Actor['kind']> = ['agent', 'admin'];

export const refOf = (a: Actor): ActorRef => ({ kind: a.kind, id: a.id });

/**
 * Whether `actor` may know the case exists at all. Departments see only cases currently
 * dispatched to them; citizens only their own.
 */
export function canSee(c: Case, actor: Actor): boolean {
  switch (actor.kind) {
    case 'agent':
    case 'admin':
    case 'system':
      return true;
    case 'dept':
      return Boolean(actor.departmentId) && c.department === actor.departmentId && c.dispatchedAt !== undefined;
    case 'citizen':
      return c.citizenRef === actor.id;
  }
}

export function pendingExtension(c: Case) {
  const last = c.extensions.at(-1);
  return last && !last.decision ? last : undefined;
}

function requireStatus(c: Case, action: string, allowed: CaseStatus[]) {
  if (!allowed.includes(c.status)) throw new IllegalTransitionError(action, c.status);
}

function requireKind(actor: Actor, kinds: ReadonlyArray<Actor['kind']>) {
  if (!kinds.includes(actor.kind)) throw new CaseForbiddenError();
}

/** Apply `action` by `actor` to `c`. Throws 404/403/409/400 errors as documented on each. */
export function applyAction(c: Case, action: CaseAction, actor: Actor, ctx: WorkflowContext): Transition {
  if (!canSee(c, actor)) throw new CaseNotFoundError();
  const at = ctx.now.toISOString();
  const next: Case = structuredClone(c);
  next.updatedAt = at;
  const audit: AuditEntry = { at, actor: refOf(actor), action: action.kind, from: c.status };
  const events: CaseEvent[] = [];
  const eventId = (type: string) => `${c.number}:${ctx.nextVersion}:${type}`;

  switch (action.kind) {
    case 'dispatch': {
      requireKind(actor, STAFF);
      requireStatus(c, '派单', ['new', 'returned']);
      const department = action.department ?? c.department;
      if (!department) throw new CaseInputError('department', '请指定承办部门');
      if (!ctx.departmentExists(department)) throw new CaseInputError('department', '部门不存在');
      next.status = 'dispatched';
      next.department = department;
      next.dispatchedAt = at;
      next.acceptBy = acceptByFor(ctx.policy, ctx.now);
      delete next.acceptedAt;
      audit.department = department;
      audit.note = action.note;
      events.push({ id: eventId('dispatched'), type: 'case.dispatched', number: c.number, department, at });
      break;
    }
    case 'accept':
      requireKind(actor, ['dept']);
      requireStatus(c, '签收', ['dispatched']);
      next.status = 'accepted';
      next.acceptedAt = at;
      audit.note = action.note;
      break;
    case 'return':
      requireKind(actor, ['dept']);
      requireStatus(c, '退单', ['dispatched', 'accepted']);
      next.status = 'returned';
      next.returns.push({ department: c.department!, reason: action.reason, at });
      audit.reason = action.reason;
      break;
    case 'reply':
      requireKind(actor, ['dept']);
      requireStatus(c, '答复', ['accepted']);
      next.status = 'replied';
      next.repliedAt = at;
      next.replies.push({ text: action.text, at, by: refOf(actor) });
      audit.note = action.text;
      audit.deadline = c.deadline;
      events.push({
        id: eventId('replied'), type: 'case.replied', number: c.number, department: c.department!, at,
        channel: c.channel, citizenRef: c.citizenRef, text: action.text,
      });
      break;
    case 'request_extension':
      requireKind(actor, ['dept']);
      requireStatus(c, '申请延期', ['accepted']);
      if (pendingExtension(c)) throw new CaseConflictError('extension_pending', '已有待审批的延期申请');
      next.extensions.push({ days: action.days, reason: action.reason, requestedAt: at, requestedBy: refOf(actor) });
      audit.reason = action.reason;
      audit.note = `申请延期${action.days}个工作日`;
      break;
    case 'decide_extension': {
      requireKind(actor, STAFF);
      const pending = pendingExtension(next);
      if (!pending) throw new CaseConflictError('no_pending_extension', '没有待审批的延期申请');
      requireStatus(c, '审批延期', ['dispatched', 'accepted', 'returned']);
      Object.assign(pending, { decision: action.approve ? 'approved' : 'refused', decidedAt: at, decidedBy: refOf(actor), note: action.note });
      if (action.approve) Object.assign(next, extendDeadline(ctx.policy, c.deadline, pending.days));
      audit.note = `${action.approve ? '同意' : '不同意'}延期${pending.days}个工作日${action.note ? `：${action.note}` : ''}`;
      break;
    }
    case 'urge': {
      requireKind(actor, STAFF);
      requireStatus(c, '催办', ['dispatched', 'accepted']);
      if (ctx.now.getTime() < Date.parse(c.nearDueAt)) throw new CaseConflictError('not_near_due', '工单尚未临近办理期限，暂不能催办');
      const level = ctx.now.getTime() > Date.parse(c.deadline) ? '督办' : '催办';
      next.urges.push({ at, by: refOf(actor), level, ...(action.note ? { note: action.note } : {}) });
      audit.note = `${level}${action.note ? `：${action.note}` : ''}`;
      events.push({ id: eventId('urged'), type: 'case.urged', number: c.number, department: c.department!, at, level });
      break;
    }
    case 'close':
      requireKind(actor, STAFF);
      requireStatus(c, '办结', ['replied']);
      next.status = 'closed';
      next.closedAt = at;
      audit.note = action.note;
      break;
    case 'feedback':
      requireKind(actor, [...STAFF, 'citizen']);
      requireStatus(c, '回访', ['replied', 'closed']);
      next.feedback.push({ satisfaction: action.satisfaction, ...(action.comment ? { comment: action.comment } : {}), at, by: refOf(actor) });
      audit.note = action.satisfaction + (action.comment ? `：${action.comment}` : '');
      break;
    case 'reopen': {
      requireKind(actor, STAFF);
      requireStatus(c, '重办', ['replied', 'closed']);
      if (c.feedback.at(-1)?.satisfaction !== 'unsatisfied') {
        throw new CaseConflictError('not_unsatisfied', '只有回访不满意的工单才能重办');
      }
      next.status = 'dispatched';
      next.dispatchedAt = at;
      next.acceptBy = acceptByFor(ctx.policy, ctx.now);
      next.reopenCount += 1;
      for (const k of ['acceptedAt', 'repliedAt', 'closedAt'] as const) delete next[k];
      Object.assign(next, deadlineFor(ctx.policy, c.type, ctx.now));
      audit.reason = action.reason;
      audit.department = c.department;
      events.push({ id: eventId('dispatched'), type: 'case.dispatched', number: c.number, department: c.department!, at, reopened: true });
      break;
    }
  }
  audit.to = next.status;
  if (audit.note === undefined) delete audit.note;
  return { next, audit, events };
}
