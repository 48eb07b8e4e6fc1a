import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { addUser, PanelClient } from '../helpers/panel-client.js';
import { testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  // The per-IP attempt rate (src/http/limits.ts) is not under test here; every request comes from one address.
  services = await testServices({ config: { LOGIN_RATE_PER_IP_PER_MINUTE: '1000' } });
  app = createApp(services);
  await addUser(services, { username: 'agent1', role: 'agent', password: 'agent-password-1' });
  await addUser(services, { username: 'hrss1', role: 'dept', dept: 'hrss', password: 'dept-password-1' });
  await addUser(services, { username: 'gone', role: 'agent', password: 'gone-password-1', disabled: true });
});
afterAll(() => services.cleanup());

describe('sign-in', () => {
  it('sends anonymous visitors to the sign-in page and back afterwards', async () => {
    const c = new PanelClient(app);
    const res = await c.get('/panel?q=社保');
    expect(res.status).toBe(303);
    const target = `/panel?q=${encodeURIComponent('社保')}`;
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(target)}`);
    const page = await (await c.get(res.headers.get('location')!)).text();
    const login = await c.postForm('/login', { username: 'agent1', password: 'agent-password-1', next: target, _csrf: PanelClient.csrfOf(page) });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(target);
  });

  it('sends a form posted after the session ended to a plain sign-in', async () => {
    const res = await new PanelClient(app).postForm('/panel/cases/new', { summary: 'x' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('sets an HttpOnly SameSite session cookie, Secure with the __Host- prefix over https', async () => {
    const http = new PanelClient(app);
    const res = await http.login('agent1', 'agent-password-1');
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('yhd_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const https = new PanelClient(app, 'https://panel.example.gov.cn');
    const res2 = await https.login('agent1', 'agent-password-1');
    const secure = res2.headers.getSetCookie().find((l) => l.startsWith('__Host-yhd_session='))!;
    expect(secure).toMatch(/Secure/);
    expect(secure).toMatch(/HttpOnly/);
    expect(secure).toMatch(/Path=\//);
    expect((await https.get('/panel')).status).toBe(200);
  });

  it('lands dept users on their inbox and agents on the search page', async () => {
    expect((await new PanelClient(app).login('hrss1', 'dept-password-1')).headers.get('location')).toBe('/dept');
    expect((await new PanelClient(app).login('agent1', 'agent-password-1')).headers.get('location')).toBe('/panel');
  });

  it('rejects a wrong password, an unknown user and a disabled account alike', async () => {
    for (const [u, p] of [['agent1', 'wrong-password-x'], ['nobody', 'agent-password-1'], ['gone', 'gone-password-1']]) {
      const res = await new PanelClient(app).login(u!, p!);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('用户名或密码错误');
      expect(res.headers.getSetCookie().some((l) => l.includes('yhd_session'))).toBe(false);
    }
  });

  it('never redirects off-site after sign-in', async () => {
    const c = new PanelClient(app);
    const page = await (await c.get('/login')).text();
    const res = await c.postForm('/login', { username: 'agent1', password: 'agent-password-1', next: '//evil.example/x', _csrf: PanelClient.csrfOf(page) });
    expect(res.headers.get('location')).toBe('/panel');
  });

  it('rate-limits failed sign-ins per username (also for the right password then)', async () => {
    await addUser(services, { username: 'victim', role: 'agent', password: 'victim-password-1' });
    const c = new PanelClient(app);
    for (let i = 0; i < 5; i++) expect((await c.login('victim', `wrong-password-${i}`)).status).toBe(401);
    const blocked = await c.login('victim', 'victim-password-1');
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('登录失败次数过多');
  });
});

describe('malformed forms', () => {
  it('answers a broken multipart body with 400, signed in or not', async () => {
    const c = new PanelClient(app);
    const multipart = { 'content-type': 'multipart/form-data; boundary=x', origin: c.origin };
    expect((await c.request('/login', { method: 'POST', headers: multipart, body: '' })).status).toBe(400);
    await c.signIn('agent1', 'agent-password-1');
    expect((await c.request('/panel/cases/new', { method: 'POST', headers: multipart, body: '--y\r\n' })).status).toBe(400);
  });
});

describe('CSRF', () => {
  it('refuses a sign-in post from another site (origin check) and one without the form token', async () => {
    const c = new PanelClient(app);
    const page = await (await c.get('/login')).text();
    const token = PanelClient.csrfOf(page);
    const cross = await c.postForm('/login', { username: 'agent1', password: 'agent-password-1', _csrf: token }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    const noToken = await c.postForm('/login', { username: 'agent1', password: 'agent-password-1' });
    expect(noToken.status).toBe(403);
  });

  it('requires the session token on state-changing requests that carry the cookie', async () => {
    const c = new PanelClient(app);
    const csrf = await c.signIn('agent1', 'agent-password-1');
    const bad = await c.postForm('/logout', { _csrf: 'x'.repeat(43) });
    expect(bad.status).toBe(403);
    expect((await c.get('/panel')).status).toBe(200);
    // The same check guards JSON APIs called with the cookie (header token).
    const api = await c.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '你好' }) });
    expect(api.status).toBe(403);
    const ok = await c.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ message: '你好' }) });
    expect(ok.status).toBe(200);
    const out = await c.postForm('/logout', { _csrf: csrf });
    expect(out.status).toBe(303);
    expect((await c.get('/panel')).status).toBe(303);
  });
});

describe('roles and pages', () => {
  it('keeps department staff out of the agent panel', async () => {
    const c = new PanelClient(app);
    await c.signIn('hrss1', 'dept-password-1');
    const res = await c.get('/panel');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('无权访问');
    expect((await c.get('/panel/results?q=社保')).status).toBe(403);
    expect((await c.get('/panel/doc/guide-apply-government-information')).status).toBe(403);
  });

  it('searches with highlights, filters, copyable answers and serves the document view', async () => {
    const c = new PanelClient(app);
    await c.signIn('agent1', 'agent-password-1');
    const html = await (await c.get('/panel?q=' + encodeURIComponent('申请政府信息公开多久答复'))).text();
    expect(html).toContain('依申请公开政府信息办事指南');
    expect(html).toMatch(/<mark>[^<]*(申请|答复|信息)[^<]*<\/mark>/);
    expect(html).toContain('data-copy="您好，关于您咨询的问题，答复如下：');
    const onlyPolicies = await (await c.get('/panel/results?type=policy&q=' + encodeURIComponent('申请政府信息公开'))).text();
    expect(onlyPolicies).not.toContain('依申请公开政府信息办事指南');
    expect(onlyPolicies).toContain('政策文件');
    const doc = await (await c.get('/panel/doc/guide-apply-government-information?q=' + encodeURIComponent('答复'))).text();
    expect(doc).toContain('目录');
    expect(doc).toMatch(/href="#p\d+">五、多长时间答复/);
    expect((await c.get('/panel/doc/no-such-doc')).status).toBe(404);
  });

  it('escapes what is typed into the search box', async () => {
    const c = new PanelClient(app);
    await c.signIn('agent1', 'agent-password-1');
    const html = await (await c.get('/panel?q=' + encodeURIComponent('<script>alert(1)</script>"><img src=x onerror=alert(2)>'))).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;');
  });

  it('rejects bad filter values with 400, not 500', async () => {
    const c = new PanelClient(app);
    await c.signIn('agent1', 'agent-password-1');
    expect((await c.get('/panel/results?type=bogus&q=x')).status).toBe(400);
    expect((await c.get('/panel/results?from=2021-13&q=x')).status).toBe(400);
  });

  it('sends a CSP the pages satisfy (no inline script) and serves ECharts locally', async () => {
    const c = new PanelClient(app);
    await c.signIn('agent1', 'agent-password-1');
    const res = await c.get('/panel');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBeTruthy();
    const html = await res.text();
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
    expect(html).not.toMatch(/\sstyle="/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const echarts = await c.get('/vendor/echarts.min.js');
    expect(echarts.status).toBe(200);
    expect(echarts.headers.get('content-type')).toContain('javascript');
    expect((await echarts.text()).length).toBeGreaterThan(500_000);
  });
});
