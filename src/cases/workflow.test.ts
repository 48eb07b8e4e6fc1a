import { describe, expect, it } from 'vitest';
import { createWorkCalendar } from './calendar.js';
import { DEFAULT_DEADLINE_DAYS, type DeadlinePolicy } from './deadlines.js';
import type { Actor, Case, CaseAction, CaseStatus } from './types.js';
import { applyAction, canSee } from './workflow.js';

const policy: DeadlinePolicy = { calendar: createWorkCalendar(), days: DEFAULT_DEADLINE_DAYS, acceptDays: 1, nearDueDays: 1 };
const ctx = { now: new Date('2021-11-08T10:00:00+08:00'), policy, departmentExists: (id: string) => ['housing', 'market'].includes(id), nextVersion: 2 };
const agent: Actor = { kind: 'agent', id: 'alice' };
const housing: Actor = { kind: 'dept', id: 'housing#1', departmentId: 'housing' };
const market: Actor = { kind: 'dept', id: 'market#1', departmentId: 'market' };
const citizen: Actor = { kind: 'citizen', id: 'web:abc' };

function aCase(status: CaseStatus, extra: Partial<Case> = {}): Case {
  return {
    number: '20211105-0001', type: 'complain', status, channel: 'web', citizenRef: 'web:abc', summary: 's', details: {}, excerpt: [],
    createdAt: '2021-11-05T01:00:00.000Z', updatedAt: '2021-11-05T01:00:00.000Z', createdBy: agent,
    deadline: '2021-11-12T15:59:59.999Z', nearDueAt: '2021-11-11T16:00:00.000Z',
    ...(status === 'new' ? {} : { department: 'housing', dispatchedAt: '2021-11-05T02:00:00.000Z' }),
    replies: [], returns: [], extensions: [], urges: [], feedback: [], reopenCount: 0, idempotencyKey: 'k',
    ...extra,
  };
}

const ACTIONS: Record<CaseAction['kind'], CaseAction> = {
  dispatch: { kind: 'dispatch', department: 'housing' },
  accept: { kind: 'accept' },
  return: { kind: 'return', reason: 'r' },
  reply: { kind: 'reply', text: 't' },
  request_extension: { kind: 'request_extension', days: 2, reason: 'r' },
  decide_extension: { kind: 'decide_extension', approve: true },
  urge: { kind: 'urge' },
  close: { kind: 'close' },
  feedback: { kind: 'feedback', satisfaction: 'satisfied' },
  reopen: { kind: 'reopen', reason: 'r' },
};

/** Which status each action is legal from, and who may do it (the state machine's table). */
const LEGAL: Array<[CaseAction['kind'], CaseStatus[], Actor]> = [
  ['dispatch', ['new', 'returned'], agent],
  ['accept', ['dispatched'], housing],
  ['return', ['dispatched', 'accepted'], housing],
  ['reply', ['accepted'], housing],
  ['request_extension', ['accepted'], housing],
  ['close', ['replied'], agent],
  ['feedback', ['replied', 'closed'], citizen],
];
const ALL: CaseStatus[] = ['new', 'dispatched', 'accepted', 'returned', 'replied', 'closed'];

describe('case state machine', () => {
  for (const [kind, from, actor] of LEGAL) {
    it(`${kind}: allowed only from ${from.join('/')}`, () => {
      for (const status of ALL) {
        const c = aCase(status);
        const run = () => applyAction(c, ACTIONS[kind], actor, ctx);
        if (from.includes(status)) expect(run().audit).toMatchObject({ action: kind, from: status });
        else if (canSee(c, actor)) expect(run).toThrow(expect.objectContaining({ status: 409 }));
      }
    });
  }

  it('checks who may act: 403 for the wrong role, 404 for another department', () => {
    expect(() => applyAction(aCase('dispatched'), ACTIONS.accept, agent, ctx)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => applyAction(aCase('new'), ACTIONS.dispatch, citizen, ctx)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => applyAction(aCase('dispatched'), ACTIONS.accept, market, ctx)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => applyAction(aCase('replied'), ACTIONS.feedback, { kind: 'citizen', id: 'web:other' }, ctx)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => applyAction(aCase('new'), { kind: 'dispatch', department: 'nosuch' }, agent, ctx)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => applyAction(aCase('new'), { kind: 'dispatch' }, agent, ctx)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('department') }));
    // Without a department the one suggested at creation is used.
    expect(applyAction(aCase('new', { department: 'market' }), { kind: 'dispatch' }, agent, ctx).next.department).toBe('market');
  });

  it('emits events for dispatch, urge and reply, with ids unique per version', () => {
    const d = applyAction(aCase('new'), ACTIONS.dispatch, agent, ctx);
    expect(d.events).toEqual([expect.objectContaining({ type: 'case.dispatched', id: '20211105-0001:2:dispatched', department: 'housing' })]);
    const r = applyAction(aCase('accepted'), ACTIONS.reply, housing, { ...ctx, nextVersion: 5 });
    expect(r.events).toEqual([expect.objectContaining({ type: 'case.replied', id: '20211105-0001:5:replied', citizenRef: 'web:abc', text: 't' })]);
    const u = applyAction(aCase('accepted'), ACTIONS.urge, agent, { ...ctx, now: new Date('2021-11-13T10:00:00+08:00') });
    expect(u.events[0]).toMatchObject({ type: 'case.urged', level: '督办' });
  });

  it('reopens only after an unsatisfied 回访, with a new deadline from now', () => {
    expect(() => applyAction(aCase('replied'), ACTIONS.reopen, agent, ctx)).toThrow(expect.objectContaining({ code: 'not_unsatisfied' }));
    const unhappy = aCase('closed', { feedback: [{ satisfaction: 'unsatisfied', at: 'x', by: citizen }] });
    const t = applyAction(unhappy, ACTIONS.reopen, agent, ctx);
    expect(t.next).toMatchObject({ status: 'dispatched', reopenCount: 1, deadline: new Date('2021-11-15T23:59:59.999+08:00').toISOString() });
    expect(t.next.closedAt).toBeUndefined();
  });

  it('does not mutate the input case', () => {
    const c = aCase('accepted');
    const before = JSON.stringify(c);
    applyAction(c, ACTIONS.reply, housing, ctx);
    expect(JSON.stringify(c)).toBe(before);
  });
});
