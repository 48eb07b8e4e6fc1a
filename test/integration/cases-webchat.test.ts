import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { newToken, sha256Hex } from '../../src/auth/bearer.js';
import { testServices, type TestServices } from '../helpers/services.js';

/**
 * End to end over real HTTP and a real browser: a citizen files a case in the web chat, an
 * agent dispatches it, the department accepts and replies, and the reply shows up in the chat
 * page by polling `/api/chat/updates`. Needs chromium (CHROMIUM_PATH or /usr/bin/chromium).
 */
const tok = { agent: newToken(), housing: newToken() };
let s: TestServices;
let server: ServerType;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  s = await testServices({
    config: { AGENT_TOKENS: `alice:${await sha256Hex(tok.agent)}`, DEPT_TOKENS: `housing:${await sha256Hex(tok.housing)}` },
  });
  const app = createApp(s);
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
  await s.cleanup();
});

const call = async (method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
};

/** Chat until the bot announces a case number, answering its questions like a citizen would. */
async function fileCaseInChat(): Promise<{ sessionId: string; number: string }> {
  let sessionId: string | undefined;
  let say = '我要投诉，楼下工地每天夜里施工，噪音太大睡不着';
  for (let turn = 0; turn < 10; turn++) {
    const { body: d } = await call('POST', '/api/chat', sessionId ? { sessionId, message: say } : { message: say });
    sessionId = d.sessionId as string;
    const replies = d.replies as Array<{ text: string; caseNumber?: string; options?: string[] }>;
    const done = replies.find((r) => r.caseNumber);
    if (done) return { sessionId, number: done.caseNumber! };
    const last = replies.at(-1)!;
    say = last.options?.find((o) => /登记|工单|确认|提交/.test(o))
      ?? (/确认|是否|对吗/.test(last.text) ? '确认'
        : /地点|地址|哪里|位置/.test(last.text) ? '牡丹区万福街道幸福小区东侧工地'
        : /时间|什么时候|何时/.test(last.text) ? '最近一周每晚11点以后'
        : /联系|电话|手机/.test(last.text) ? '13812345678'
        : '工地夜间施工噪音扰民，希望有关部门管一管');
  }
  throw new Error('the chat never created a case');
}

describe('web chat case → department reply → shown in the chat page', () => {
  it('carries a case from the chat through the department inbox and back to the citizen', async () => {
    const { sessionId, number } = await fileCaseInChat();
    const stored = await s.cases.get(number);
    expect(stored).toMatchObject({ channel: 'web', citizenRef: `web:${sessionId}`, status: 'new' });
    // The citizen can ask for the status of their own case only.
    expect(await s.cases.lookupForCitizen(number, `web:${sessionId}`)).toMatchObject({ statusLabel: '待派单' });

    expect((await call('POST', `/api/cases/${number}/dispatch`, { department: 'housing' }, tok.agent)).status).toBe(200);
    const inbox = await call('GET', '/api/dept/cases?status=dispatched', undefined, tok.housing);
    expect(inbox.body.items.map((c: { number: string }) => c.number)).toContain(number);
    expect((await call('POST', `/api/dept/cases/${number}/accept`, {}, tok.housing)).status).toBe(200);
    const reply = '已联系施工单位，夜间22点后停止高噪声作业，城管将持续巡查。';
    expect((await call('POST', `/api/dept/cases/${number}/reply`, { text: reply }, tok.housing)).status).toBe(200);

    const updates = await call('GET', `/api/chat/updates?sessionId=${sessionId}`);
    expect(updates.body.messages).toEqual([expect.objectContaining({ kind: 'case_reply', caseNumber: number, text: expect.stringContaining(reply) })]);

    // The page polls the same endpoint and shows the reply with its case number.
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    const page = await browser.newPage();
    await page.clock.install();
    await page.addInitScript((sid) => localStorage.setItem('yhd_sid', sid), sessionId);
    await page.goto(`${base}/`);
    const log = page.locator('#log');
    await log.getByText(reply).waitFor({ timeout: 10_000 });
    await expect(log.getByText(`工单编号：${number}`).count()).resolves.toBeGreaterThanOrEqual(1);

    // A later message arrives by the periodic poll.
    await s.outbox.enqueue({ channel: 'web', citizenRef: `web:${sessionId}`, kind: 'case_update', text: '您的工单已办结，感谢您的监督。', caseNumber: number }, `t-${number}`);
    await page.clock.runFor(16_000);
    await log.getByText('您的工单已办结').waitFor({ timeout: 10_000 });

    // After a reload only new messages would show: the reply is not repeated.
    const polled = page.waitForResponse((r) => r.url().includes('/api/chat/updates'));
    await page.reload();
    const after = await (await polled).json();
    expect(after.messages).toEqual([]);
    expect(new URL((await polled).url()).searchParams.get('after')).toBe(after.last);
    await log.getByText('您好！我是牡丹区政策咨询助手').waitFor();
    expect(await log.getByText(reply).count()).toBe(0);
  }, 90_000);
});
