import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { newToken, sha256Hex } from '../../src/auth/bearer.js';
import { endOfChinaDay } from '../../src/cases/calendar.js';
import type { Actor } from '../../src/cases/types.js';
import { fixedClock } from '../../src/clock.js';
import { testServices, type TestServices } from '../helpers/services.js';

/** Deadlines, near-due/overdue listings, 催办/督办, 延期 and KPIs over 国庆 2021, against real Redis. */
const clock = fixedClock('2021-09-30T10:00:00+08:00');
const agentToken = newToken();
const agent: Actor = { kind: 'agent', id: 'alice' };
const housing: Actor = { kind: 'dept', id: 'housing#t', departmentId: 'housing' };
const end = (day: string) => endOfChinaDay(day).toISOString();
let s: TestServices;

beforeAll(async () => {
  s = await testServices({ clock, indexKnowledge: false, config: { AGENT_TOKENS: `alice:${await sha256Hex(agentToken)}` } });
});
afterAll(() => s.cleanup());

const base = { summary: '测试工单', channel: 'web' as const };
let seq = 0;
const make = async (type: 'consult' | 'help') =>
  (await s.cases.create({ ...base, type, citizenRef: `web:deadline${seq}`, idempotencyKey: `dl-${seq++}` }, agent)).case;

describe('case deadlines over 国庆 2021 (real Redis)', () => {
  let a: string; // consult, due 11 Oct
  let b: string; // help, due 13 Oct

  it('sets working-day deadlines at creation', async () => {
    const ca = await make('consult');
    const cb = await make('help');
    a = ca.number;
    b = cb.number;
    expect(ca.deadline).toBe(end('2021-10-11')); // 8 Oct, 9 Oct (调休 Saturday), 11 Oct
    expect(cb.deadline).toBe(end('2021-10-13'));
    await s.cases.dispatch(a, { department: 'housing' }, agent);
    await s.cases.dispatch(b, { department: 'housing' }, agent);
    const viewed = await s.cases.view(a, agent);
    expect(viewed.acceptBy).toBe(end('2021-10-08')); // 签收 within 1 working day: the holiday is skipped
  });

  it('lists near-due and overdue cases as the clock moves, and urges with the right level', async () => {
    clock.set('2021-10-08T09:00:00+08:00');
    expect(await s.cases.listNearDue()).toEqual([]);
    expect((await s.cases.urge(a, {}, agent).catch((e) => e)).code).toBe('not_near_due');

    clock.set('2021-10-11T09:00:00+08:00');
    expect((await s.cases.listNearDue()).map((c) => c.number)).toEqual([a]);
    expect(await s.cases.listOverdue()).toEqual([]);
    expect((await s.cases.urge(a, { note: '请抓紧' }, agent)).urges.at(-1)).toMatchObject({ level: '催办' });
    expect((await s.cases.urge(b, {}, agent).catch((e) => e)).status).toBe(409);

    clock.set('2021-10-12T09:00:00+08:00');
    expect((await s.cases.listOverdue()).map((c) => c.number)).toEqual([a]);
    expect((await s.cases.listNearDue()).map((c) => c.number)).toEqual([]);
    expect((await s.cases.urge(a, {}, agent)).urges.at(-1)).toMatchObject({ level: '督办' });
    const dept = await s.cases.listOverdue(housing);
    expect(dept.map((c) => c.number)).toEqual([a]);
    expect(await s.cases.listOverdue({ kind: 'dept', id: 'm', departmentId: 'market' })).toEqual([]);
    const filtered = await s.cases.list({ overdue: true }, housing);
    expect(filtered.items.map((c) => c.number)).toEqual([a]);
  });

  it('moves the deadline by working days when a 延期 is approved', async () => {
    await s.cases.accept(b, {}, housing);
    const req = await s.cases.requestExtension(b, { days: 3, reason: '需要现场勘验' }, housing);
    expect(req.pendingExtension).toMatchObject({ days: 3 });
    expect((await s.cases.requestExtension(b, { days: 2, reason: '再延' }, housing).catch((e) => e)).code).toBe('extension_pending');
    const approved = await s.cases.decideExtension(b, { approve: true, note: '同意' }, agent);
    // 13 Oct + 3 working days: 14, 15, 18 Oct (16/17 is a weekend).
    expect(approved.deadline).toBe(end('2021-10-18'));
    expect(approved.pendingExtension).toBeUndefined();
    clock.set('2021-10-14T09:00:00+08:00');
    expect((await s.cases.listOverdue()).map((c) => c.number)).toEqual([a]);
  });

  it('reports KPIs per department', async () => {
    clock.set('2021-10-14T10:00:00+08:00');
    await s.cases.reply(b, { text: '已处理' }, housing); // on time (deadline 18 Oct)
    clock.set('2021-10-15T10:00:00+08:00');
    await s.cases.accept(a, {}, housing);
    await s.cases.reply(a, { text: '已答复' }, housing); // late (deadline 11 Oct)
    await s.cases.feedback(a, { satisfaction: 'basically_satisfied' }, agent);
    await s.cases.feedback(b, { satisfaction: 'unsatisfied' }, { kind: 'citizen', id: 'web:deadline1' });
    const agentApp = createApp(s);
    const res = await agentApp.request('/api/reports/kpi?from=2021-09-30&to=2021-09-30', { headers: { authorization: `Bearer ${agentToken}` } });
    expect(res.status).toBe(200);
    const kpi = await res.json();
    expect(kpi.cases).toBe(2);
    expect(kpi.departments).toEqual([
      expect.objectContaining({
        department: 'housing', received: 2, accepted: 2, acceptedOnTime: 0, replied: 2, repliedOnTime: 1, repliedOnTimeRate: 0.5,
        overdue: 1, returns: 0, rated: 2, satisfactionRate: 0.5,
        // b: 30 Sep → 14 Oct = 8 Oct, 9 Oct, 11–14 Oct = 6; a: 30 Sep → 15 Oct = 7.
        avgWorkingDaysToReply: 6.5,
      }),
    ]);
    const empty = await (await agentApp.request('/api/reports/kpi?from=2020-01-01&to=2020-01-31', { headers: { authorization: `Bearer ${agentToken}` } })).json();
    expect(empty).toMatchObject({ cases: 0, departments: [] });
  });
});
