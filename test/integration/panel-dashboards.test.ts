import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { TurnLogInput } from '../../src/topics/types.js';
import { addUser, PanelClient } from '../helpers/panel-client.js';
import { testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;
let agent: PanelClient;
let dept: PanelClient;

const XSS = '<script>alert(1)</script>';

function msg(i: number, text: string, day: string, action: TurnLogInput['action'] = 'fallback_offer'): TurnLogInput {
  return { sessionId: `seed${i}xxxxxx`, turn: 1, channel: 'web', citizenRef: `web:seed${i}`, message: text, at: `${day}T10:00:00+08:00`, action, department: 'edu', topical: true };
}

beforeAll(async () => {
  services = await testServices({ config: { LOGIN_RATE_PER_IP_PER_MINUTE: '1000' } });
  app = createApp(services);
  await addUser(services, { username: 'agent1', role: 'agent', password: 'agent-password-1' });
  await addUser(services, { username: 'hrss1', role: 'dept', dept: 'hrss', password: 'dept-password-1' });
  // Questions logged through the real topic pipeline: one school-places topic, with a payload.
  const asks = ['新建小区的孩子上学划到哪个学校', '新小区孩子入学学区怎么划分', '我们小区孩子上小学学区划到哪里', `小区孩子上学学区${XSS}怎么划`];
  await services.topics.recordMany(asks.map((t, i) => msg(i, t, `2021-11-0${2 + (i % 3)}`)));
  agent = new PanelClient(app);
  dept = new PanelClient(app);
  await agent.signIn('agent1', 'agent-password-1');
  await dept.signIn('hrss1', 'dept-password-1');
});
afterAll(() => services.cleanup());

describe('topics dashboard', () => {
  it('shows hot topics with chart options, suggestions and escaped citizen text', async () => {
    const res = await agent.get('/panel/topics?from=2021-10-30&to=2021-11-05');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="chart-topics" data-chart="');
    expect(html).toContain('id="chart-outcomes"');
    expect(html).toMatch(/学区|上学|入学/);
    expect(html).toContain('建议补充的政策解读');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('src="/vendor/echarts.min.js"');
    const topicId = /href="\/panel\/topics\/(t[0-9a-f]{12})/.exec(html)?.[1];
    expect(topicId).toBeDefined();
    const detail = await (await agent.get(`/panel/topics/${topicId}?from=2021-10-30&to=2021-11-05`)).text();
    expect(detail).toContain('id="chart-daily"');
    expect(detail).toContain('群众原话');
    expect(detail).not.toContain('<script>alert(1)');
    expect((await agent.get('/panel/topics/t000000000000')).status).toBe(404);
  });

  it('exports CSV through the topics API with the session cookie', async () => {
    const res = await agent.get('/api/topics/hot.csv?from=2021-10-30&to=2021-11-05&limit=100');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM, so Excel reads the Chinese
    expect(new TextDecoder().decode(bytes)).toContain('代表性提问');
  });

  it('rejects a bad window with 400 and keeps departments out', async () => {
    expect((await agent.get('/panel/topics?from=2021-11-09&to=2021-11-01')).status).toBe(400);
    expect((await dept.get('/panel/topics')).status).toBe(403);
    expect((await dept.get('/api/topics/hot.csv')).status).toBe(403);
  });
});

describe('KPI dashboard', () => {
  it('renders charts and a CSV over the case service', async () => {
    const csrf = PanelClient.csrfOf(await (await agent.get('/panel')).text());
    await agent.postForm('/panel/cases/new', { _csrf: csrf, idempotencyKey: crypto.randomUUID(), type: 'consult', department: 'hrss', summary: '社保转移' });
    const html = await (await agent.get('/panel/kpi?from=2021-11-01&to=2021-11-30')).text();
    expect(html).toContain('id="chart-volume" data-chart="');
    expect(html).toContain('牡丹区人力资源和社会保障局');
    const csv = await agent.get('/panel/kpi.csv?from=2021-11-01&to=2021-11-30');
    expect(csv.headers.get('content-disposition')).toContain('kpi-2021-11-01-2021-11-30.csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('部门,受理量')).toBe(true);
    expect(text).toContain('牡丹区人力资源和社会保障局,1,');
    expect((await agent.get('/panel/kpi?from=2021-13-01&to=2021-11-30')).status).toBe(400);
    expect((await dept.get('/panel/kpi')).status).toBe(403);
    expect((await dept.get('/panel/kpi.csv')).status).toBe(403);
  });
});
