import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { addUser, PanelClient } from '../helpers/panel-client.js';
import { testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;
let agent: PanelClient;
let hrss: PanelClient;
let edu: PanelClient;
let agentCsrf: string;
let hrssCsrf: string;

const XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>';

beforeAll(async () => {
  services = await testServices({ config: { LOGIN_RATE_PER_IP_PER_MINUTE: '1000' } });
  app = createApp(services);
  await addUser(services, { username: 'agent1', role: 'agent', password: 'agent-password-1' });
  await addUser(services, { username: 'hrss1', role: 'dept', dept: 'hrss', password: 'dept-password-1' });
  await addUser(services, { username: 'edu1', role: 'dept', dept: 'edu', password: 'dept-password-2' });
  agent = new PanelClient(app);
  hrss = new PanelClient(app);
  edu = new PanelClient(app);
  agentCsrf = await agent.signIn('agent1', 'agent-password-1');
  hrssCsrf = await hrss.signIn('hrss1', 'dept-password-1');
  await edu.signIn('edu1', 'dept-password-2');
});
afterAll(() => services.cleanup());

async function createCase(summary: string, key: string, department = 'hrss'): Promise<string> {
  const res = await agent.postForm('/panel/cases/new', {
    _csrf: agentCsrf, idempotencyKey: key, caller: '王女士', contact: '13812345678', type: 'help', department, summary, what: '公司拖欠三个月工资', cite: '',
  });
  expect(res.status).toBe(303);
  const m = /^\/panel\/cases\/(\d{8}-\d{4,6})\?done=created$/.exec(res.headers.get('location') ?? '');
  expect(m).not.toBeNull();
  return m![1]!;
}

describe('agent creates and dispatches from the panel', () => {
  it('creates a case dispatched to the chosen department, contact masked, idempotent on resubmit', async () => {
    const key = crypto.randomUUID();
    const n = await createCase('咨询拖欠工资怎么办', key);
    expect(await createCase('咨询拖欠工资怎么办', key)).toBe(n);
    const html = await (await agent.get(`/panel/cases/${n}?done=created`)).text();
    expect(html).toContain('工单已创建');
    expect(html).toContain('已派单');
    expect(html).toContain('138****5678');
    expect(html).not.toContain('13812345678');
    expect(html).toContain('王女士');
    // Revealing the number is an audited action.
    const revealed = await (await agent.postForm(`/panel/cases/${n}/contact`, { _csrf: agentCsrf })).text();
    expect(revealed).toContain('13812345678');
    expect(revealed).toContain('查看联系方式');
  });

  it('lists cases in the queue with deadline colours and filters', async () => {
    const n = await createCase('社保缴费基数咨询', crypto.randomUUID());
    const html = await (await agent.get('/panel/cases?department=hrss&status=dispatched')).text();
    expect(html).toContain(n);
    expect(html).toMatch(/class="due ok"/);
    const none = await (await agent.get('/panel/cases?department=edu')).text();
    expect(none).not.toContain(n);
    expect((await agent.get('/panel/cases?status=bogus')).status).toBe(400);
    // A caller quoting the number: straight to the case.
    const jump = await agent.get(`/panel/cases?number=${n}`);
    expect(jump.headers.get('location')).toBe(`/panel/cases/${n}`);
    expect((await agent.get('/panel/cases?number=abc')).status).toBe(400);
  });

  it('rejects a case without a summary with a message, not a 500', async () => {
    const res = await agent.postForm('/panel/cases/new', { _csrf: agentCsrf, idempotencyKey: crypto.randomUUID(), type: 'help', summary: '  ' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('工单信息有误');
  });
});

describe('department inbox', () => {
  it('shows a department only its own cases; another department gets 404 on view and actions', async () => {
    const n = await createCase('人社局的工单', crypto.randomUUID());
    expect(await (await hrss.get('/dept')).text()).toContain(n);
    expect(await (await edu.get('/dept')).text()).not.toContain(n);
    expect((await edu.get(`/dept/cases/${n}`)).status).toBe(404);
    const eduCsrf = PanelClient.csrfOf(await (await edu.get('/dept')).text());
    expect((await edu.postForm(`/dept/cases/${n}/accept`, { _csrf: eduCsrf })).status).toBe(404);
    // Asking for another department's cases is ignored: the inbox stays the user's own.
    expect(await (await edu.get('/dept?department=hrss')).text()).not.toContain(n);
  });

  it('accepts, asks for an extension, replies; the agent sees the trail and closes, records 回访, reopens', async () => {
    const n = await createCase('全流程工单', crypto.randomUUID());
    let res = await hrss.postForm(`/dept/cases/${n}/accept`, { _csrf: hrssCsrf, note: '' });
    expect(res.headers.get('location')).toBe(`/dept/cases/${n}?done=accept`);
    res = await hrss.postForm(`/dept/cases/${n}/extension`, { _csrf: hrssCsrf, days: '3', reason: '需要现场核查' });
    expect(res.status).toBe(303);
    // A second request while one is pending is refused with the service's message.
    res = await hrss.postForm(`/dept/cases/${n}/extension`, { _csrf: hrssCsrf, days: '3', reason: '再次申请' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('已有待审批的延期申请');
    res = await agent.postForm(`/panel/cases/${n}/decide`, { _csrf: agentCsrf, approve: 'true', note: '同意' });
    expect(res.status).toBe(303);
    res = await hrss.postForm(`/dept/cases/${n}/reply`, { _csrf: hrssCsrf, text: '已责令企业限期支付工资。' });
    expect(res.headers.get('location')).toBe(`/dept/cases/${n}?done=reply`);
    const detail = await (await agent.get(`/panel/cases/${n}`)).text();
    for (const word of ['签收', '申请延期', '审批延期', '答复', '已责令企业限期支付工资。']) expect(detail).toContain(word);
    expect(detail).toContain('id="act-close"');
    expect((await agent.postForm(`/panel/cases/${n}/feedback`, { _csrf: agentCsrf, satisfaction: 'unsatisfied', comment: '没解决' })).status).toBe(303);
    expect(await (await agent.get(`/panel/cases/${n}`)).text()).toContain('id="act-reopen"');
    expect((await agent.postForm(`/panel/cases/${n}/reopen`, { _csrf: agentCsrf, reason: '市民不满意' })).status).toBe(303);
    expect(await (await hrss.get(`/dept/cases/${n}`)).text()).toContain('id="act-accept"');
  });

  it('refuses an illegal transition with 409 and the reason', async () => {
    const n = await createCase('非法操作', crypto.randomUUID());
    const res = await hrss.postForm(`/dept/cases/${n}/reply`, { _csrf: hrssCsrf, text: '未签收就答复' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('不能执行该操作');
  });

  it('lets the browser use /api/dept with the session cookie (CSRF header on writes)', async () => {
    const n = await createCase('接口调用', crypto.randomUUID());
    const list = await hrss.request('/api/dept/cases', { headers: { accept: 'application/json' } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: Array<{ number: string }> }).items.map((i) => i.number)).toContain(n);
    const post = (headers: Record<string, string>) =>
      hrss.request(`/api/dept/cases/${n}/accept`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': hrssCsrf })).status).toBe(200);
    // The agent API is closed to a department session.
    expect((await hrss.request('/api/cases', { headers: { accept: 'application/json' } })).status).toBe(403);
  });
});

describe('role isolation and escaping', () => {
  it('keeps agents out of /dept and departments out of the agent pages', async () => {
    expect((await agent.get('/dept')).status).toBe(403);
    for (const p of ['/panel/cases', '/panel', '/panel/topics', '/panel/kpi']) expect((await hrss.get(p)).status).toBe(403);
    await addUser(services, { username: 'root', role: 'admin', password: 'admin-password-1' });
    const admin = new PanelClient(app);
    await admin.signIn('root', 'admin-password-1');
    for (const p of ['/panel', '/panel/cases', '/panel/topics', '/panel/kpi']) expect((await admin.get(p)).status, p).toBe(200);
    expect((await admin.get('/dept')).status).toBe(403);
    const anon = new PanelClient(app);
    for (const p of ['/panel/cases', '/dept']) expect((await anon.get(p)).status).toBe(303);
  });

  it('renders citizen-typed text escaped in the queue, the inbox and the case page', async () => {
    const n = await createCase(XSS, crypto.randomUUID());
    for (const html of [
      await (await agent.get('/panel/cases')).text(),
      await (await hrss.get('/dept')).text(),
      await (await agent.get(`/panel/cases/${n}`)).text(),
      await (await hrss.get(`/dept/cases/${n}`)).text(),
    ]) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;');
    }
  });
});
