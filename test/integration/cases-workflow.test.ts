import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { newToken, sha256Hex } from '../../src/auth/bearer.js';
import { fixedClock } from '../../src/clock.js';
import { testServices, type TestServices } from '../helpers/services.js';

/** The HTTP workflow of cases against the real Redis: agents, departments, citizens. */
const clock = fixedClock('2021-11-05T09:00:00+08:00');
const tok = { agent: newToken(), housing: newToken(), market: newToken() };
let s: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  s = await testServices({
    clock,
    indexKnowledge: false,
    config: {
      AGENT_TOKENS: `alice:${await sha256Hex(tok.agent)}`,
      DEPT_TOKENS: `housing:${await sha256Hex(tok.housing)},market:${await sha256Hex(tok.market)}`,
      CASE_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
    },
  });
  app = createApp(s);
});
afterAll(() => s.cleanup());

function call(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
const agent = (m: string, p: string, b?: unknown, h?: Record<string, string>) => call(m, `/api/cases${p}`, tok.agent, b, h);
const dept = (t: string, m: string, p: string, b?: unknown) => call(m, `/api/dept${p}`, t, b);

const complaint = {
  type: 'complain',
  summary: '小区楼下工地夜间施工噪音扰民',
  details: { what: '每晚11点后还在打桩', where: '牡丹区某小区东侧工地', when: '最近一周' },
  excerpt: [{ role: 'user', text: '楼下工地半夜施工太吵了' }],
  contact: '13812345678',
  channel: 'web',
  citizenRef: 'web:sessionabc123',
};

async function createDispatched(body: object = complaint) {
  const res = await agent('POST', '', body);
  expect(res.status).toBe(201);
  const number = (await res.json()).case.number as string;
  expect((await agent('POST', `/${number}/dispatch`, { department: 'housing' })).status).toBe(200);
  return number;
}

describe('cases workflow over HTTP (real Redis)', () => {
  it('runs create → dispatch → accept → reply → 回访 不满意 → 重办 → reply → 满意 → close, with a full audit trail', async () => {
    const created = await agent('POST', '', complaint);
    expect(created.status).toBe(201);
    const { case: c } = await created.json();
    expect(c.number).toMatch(/^20211105-\d{4}$/);
    expect(c).toMatchObject({ status: 'new', statusLabel: '待派单', typeLabel: '投诉', contactMasked: '138****5678' });
    expect(JSON.stringify(c)).not.toContain('13812345678');
    expect(c.contact).toBeUndefined();
    // complain = 5 working days from Fri 5 Nov 2021: 8,9,10,11,12 Nov.
    expect(c.deadline).toBe(new Date('2021-11-12T23:59:59.999+08:00').toISOString());

    const n = c.number;
    const dispatched = await (await agent('POST', `/${n}/dispatch`, { department: 'housing', note: '请核查' })).json();
    expect(dispatched.case).toMatchObject({ status: 'dispatched', department: 'housing', departmentName: '牡丹区住房和城乡建设局' });

    const inbox = await (await dept(tok.housing, 'GET', '/cases')).json();
    expect(inbox.items.map((i: { number: string }) => i.number)).toContain(n);
    expect(JSON.stringify(inbox)).not.toContain('13812345678');
    // Departments never get the citizen's channel reference: they answer through the service.
    expect(JSON.stringify(inbox)).not.toContain('sessionabc123');
    expect(JSON.stringify(await (await dept(tok.housing, 'GET', `/cases/${n}`)).json())).not.toContain('sessionabc123');

    clock.advance(3600_000);
    expect((await dept(tok.housing, 'POST', `/cases/${n}/accept`, {})).status).toBe(200);
    const reveal = await (await dept(tok.housing, 'GET', `/cases/${n}/contact`)).json();
    expect(reveal.contact).toBe('13812345678');
    const replied = await (await dept(tok.housing, 'POST', `/cases/${n}/reply`, { text: '已责令施工单位22点后停止施工。' })).json();
    expect(replied.case.status).toBe('replied');

    const ups = await (await app.request('/api/chat/updates?sessionId=sessionabc123')).json();
    expect(ups.messages).toHaveLength(1);
    expect(ups.messages[0]).toMatchObject({ kind: 'case_reply', caseNumber: n });
    expect(ups.messages[0].text).toContain('已责令施工单位22点后停止施工');

    const citizenView = await s.cases.lookupForCitizen(n, 'web:sessionabc123');
    expect(citizenView).toMatchObject({ status: 'replied', statusLabel: '已答复', departmentName: '牡丹区住房和城乡建设局', reply: { text: '已责令施工单位22点后停止施工。' } });

    expect((await agent('POST', `/${n}/feedback`, { satisfaction: 'unsatisfied', comment: '仍然很吵' })).status).toBe(200);
    const reopened = await (await agent('POST', `/${n}/reopen`, { reason: '市民不满意，重新办理' })).json();
    expect(reopened.case).toMatchObject({ status: 'dispatched', reopenCount: 1 });
    expect(reopened.case.repliedAt).toBeUndefined();
    expect((await dept(tok.housing, 'POST', `/cases/${n}/accept`, {})).status).toBe(200);
    expect((await dept(tok.housing, 'POST', `/cases/${n}/reply`, { text: '已现场督查并处罚。' })).status).toBe(200);
    expect((await agent('POST', `/${n}/feedback`, { satisfaction: 'satisfied' })).status).toBe(200);
    const closed = await (await agent('POST', `/${n}/close`, { note: '回访满意' })).json();
    expect(closed.case).toMatchObject({ status: 'closed', statusLabel: '已办结' });

    const detail = await (await agent('GET', `/${n}`)).json();
    expect(detail.audit.map((e: { action: string }) => e.action)).toEqual([
      'create', 'dispatch', 'accept', 'view_contact', 'reply', 'feedback', 'reopen', 'accept', 'reply', 'feedback', 'close',
    ]);
    expect(detail.audit[1]).toMatchObject({ actor: { kind: 'agent', id: 'alice' }, from: 'new', to: 'dispatched', department: 'housing', note: '请核查' });
    expect(detail.audit[2].actor).toMatchObject({ kind: 'dept' });
    expect(detail.audit[6]).toMatchObject({ reason: '市民不满意，重新办理', from: 'replied', to: 'dispatched' });
    // Two replies reached the citizen, in order.
    const all = await (await app.request('/api/chat/updates?sessionId=sessionabc123')).json();
    expect(all.messages.map((m: { text: string }) => m.text.includes('处罚'))).toEqual([false, true]);
    const after = await (await app.request(`/api/chat/updates?sessionId=sessionabc123&after=${all.last}`)).json();
    expect(after.messages).toHaveLength(0);
  });

  it('returns: a department sends a case back with a reason, the agent re-dispatches it elsewhere', async () => {
    const n = await createDispatched();
    const ret = await dept(tok.housing, 'POST', `/cases/${n}/return`, { reason: '属于市场监管职责' });
    expect((await ret.json()).case).toMatchObject({ status: 'returned', statusLabel: '已退单' });
    const again = await (await agent('POST', `/${n}/dispatch`, { department: 'market' })).json();
    expect(again.case).toMatchObject({ status: 'dispatched', department: 'market' });
    expect(again.case.returns).toEqual([expect.objectContaining({ department: 'housing', reason: '属于市场监管职责' })]);
    // The first department no longer sees it; the new one does.
    expect((await dept(tok.housing, 'GET', `/cases/${n}`)).status).toBe(404);
    expect((await dept(tok.market, 'GET', `/cases/${n}`)).status).toBe(200);
  });

  it('rejects illegal transitions with 409 and a typed code', async () => {
    const res = await agent('POST', '', { ...complaint, citizenRef: 'web:illegal0001' });
    const n = (await res.json()).case.number;
    const close = await agent('POST', `/${n}/close`, {});
    expect(close.status).toBe(409);
    expect((await close.json()).error).toMatchObject({ code: 'illegal_transition', message: expect.stringContaining('待派单') });
    await agent('POST', `/${n}/dispatch`, { department: 'housing' });
    const early = await dept(tok.housing, 'POST', `/cases/${n}/reply`, { text: '答复' });
    expect(early.status).toBe(409);
    expect((await agent('POST', `/${n}/dispatch`, { department: 'housing' })).status).toBe(409);
    expect((await dept(tok.housing, 'POST', `/cases/${n}/accept`, {})).status).toBe(200);
    expect((await dept(tok.housing, 'POST', `/cases/${n}/accept`, {})).status).toBe(409);
    const urge = await agent('POST', `/${n}/urge`, {});
    expect(urge.status).toBe(409);
    expect((await urge.json()).error.code).toBe('not_near_due');
    expect((await agent('POST', `/${n}/extension`, { approve: true })).status).toBe(409);
    expect((await agent('POST', `/${n}/reopen`, { reason: '想重办' })).status).toBe(409);
    expect((await agent('POST', `/${n}/feedback`, { satisfaction: 'satisfied' })).status).toBe(409);
  });

  it('keeps departments apart: another department gets 404 for everything, and never sees the case listed', async () => {
    const n = await createDispatched({ ...complaint, citizenRef: 'web:isolation01' });
    for (const [m, p, b] of [
      ['GET', `/cases/${n}`, undefined],
      ['GET', `/cases/${n}/contact`, undefined],
      ['POST', `/cases/${n}/accept`, {}],
      ['POST', `/cases/${n}/reply`, { text: '越权答复' }],
      ['POST', `/cases/${n}/return`, { reason: '越权退单' }],
      ['POST', `/cases/${n}/extension`, { days: 3, reason: '越权延期' }],
    ] as const) {
      const res = await dept(tok.market, m, p, b);
      expect(res.status, `${m} ${p}`).toBe(404);
      // Same answer as for a case that does not exist.
      const missing = await dept(tok.market, m, p.replace(n, '20211105-9999'), b);
      expect(await res.json()).toMatchObject({ error: { code: (await missing.json()).error.code } });
    }
    const list = await (await dept(tok.market, 'GET', '/cases?department=housing')).json();
    expect(list.items.map((i: { number: string }) => i.number)).not.toContain(n);
    const own = await (await dept(tok.market, 'GET', '/cases')).json();
    expect(own.items.every((i: { department: string }) => i.department === 'market')).toBe(true);
    expect((await s.cases.view(n, { kind: 'agent', id: 'x' })).status).toBe('dispatched');
    // Department tokens cannot use the agents' API, nor agent tokens the departments'.
    expect((await call('GET', `/api/cases/${n}`, tok.housing)).status).toBe(403);
    expect((await call('GET', '/api/dept/cases', tok.agent)).status).toBe(403);
    // Citizens see only their own cases.
    expect(await s.cases.lookupForCitizen(n, 'web:someoneelse')).toBeUndefined();
    expect(await s.cases.lookupForCitizen(n, 'web:isolation01')).toMatchObject({ number: n });
  });

  it('answers 401 without a valid token, 400 naming the field, 404 for unknown cases', async () => {
    expect((await call('GET', '/api/cases')).status).toBe(401);
    expect((await call('GET', '/api/cases', 'yhd_not-a-valid-token-at-all-xxxxxxxx')).status).toBe(401);
    expect((await call('GET', '/api/dept/cases', 'Basic abc')).status).toBe(401);
    const bad = await agent('POST', '', { ...complaint, type: 'praise' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('type');
    const noSummary = await agent('POST', '', { ...complaint, summary: '   ' });
    expect((await noSummary.json()).error.message).toContain('summary');
    const badDept = await agent('POST', '', { ...complaint, department: 'nosuchdept' });
    expect(badDept.status).toBe(400);
    expect((await badDept.json()).error.message).toContain('department');
    const extra = await agent('POST', '', { ...complaint, status: 'closed' });
    expect(extra.status).toBe(400);
    const notJson = await app.request('/api/cases', { method: 'POST', headers: { authorization: `Bearer ${tok.agent}`, 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await agent('GET', '/20211105-9999')).status).toBe(404);
    expect((await agent('GET', '/not-a-number')).status).toBe(404);
    expect((await agent('POST', '/20211105-9999/dispatch', { department: 'housing' })).status).toBe(404);
    const n = await createDispatched({ ...complaint, citizenRef: 'web:badinput01' });
    const badDays = await dept(tok.housing, 'POST', `/cases/${n}/extension`, { days: 0, reason: '需要更多时间' });
    expect(badDays.status).toBe(400);
    expect((await badDays.json()).error.message).toContain('days');
    expect((await agent('GET', '?status=weird')).status).toBe(400);
    expect((await app.request('/api/chat/updates?sessionId=x')).status).toBe(400);
    const kpi = await call('GET', '/api/reports/kpi?from=2021-11-10&to=2021-11-01', tok.agent);
    expect(kpi.status).toBe(400);
    expect((await kpi.json()).error.message).toContain('from');
  });

  it('creates idempotently: the same Idempotency-Key returns the same case, also when sent concurrently', async () => {
    const key = { 'idempotency-key': 'retry-key-0001' };
    const results = await Promise.all(Array.from({ length: 8 }, () => agent('POST', '', { ...complaint, citizenRef: 'web:idem000001' }, key)));
    const bodies = await Promise.all(results.map((r) => r.json()));
    const numbers = new Set(bodies.map((b) => b.case.number));
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(bodies.filter((b) => b.created)).toHaveLength(1);
    expect((await s.cases.listForCitizen('web:idem000001')).length).toBe(1);
    // The chat path: the same draft key (same session turn) never makes a second case.
    const draft = { type: 'complain' as const, summary: '路灯不亮', details: { where: '牡丹路' }, excerpt: [] };
    const ctx = { channel: 'web' as const, citizenRef: 'web:chatsess01', sessionId: 'chatsess01', idempotencyKey: 'chatsess01:3' };
    const [a, b] = await Promise.all([s.caseGateway!.create(draft, ctx), s.caseGateway!.create(draft, ctx)]);
    expect(a.number).toBe(b.number);
    expect(a.deadline).toBe('2021年11月12日');
    // A department handling a chat-filed case sees "a citizen", not the chat session behind it.
    await s.cases.dispatch(a.number, { department: 'housing' }, { kind: 'agent', id: 'alice' });
    const asDept = await dept(tok.housing, 'GET', `/cases/${a.number}`);
    const shown = JSON.stringify(await asDept.json());
    expect(shown).toContain('"kind":"citizen"');
    expect(shown).not.toContain('chatsess01');
    expect(await s.caseGateway!.lookup(a.number, 'web:chatsess01')).toMatchObject({ number: a.number, statusLabel: '已派单', departmentName: '牡丹区住房和城乡建设局' });
    expect(await s.caseGateway!.lookup(a.number, 'web:othersess1')).toBeUndefined();
  });
});
