import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { addUser } from '../helpers/panel-client.js';
import { DESKTOP, PHONE, signIn, startBrowserHarness, type BrowserHarness } from './browser-harness.js';

/**
 * The staff web interface and the citizen chat in a real browser (Debian Chromium, headless),
 * against the real app on a free port with real Meilisearch and Redis. One scenario in order:
 * a citizen asks and files a complaint, an agent looks up policy and handles cases, a department
 * answers, the citizen sees the answer; dashboards render; nothing a citizen typed runs as code.
 */

let h: BrowserHarness;
let citizen: BrowserContext;
let citizenPage: Page;
let agent: BrowserContext;
let agentPage: Page;
let hrss: BrowserContext;
let hrssPage: Page;
let citizenCase = '';
let agentCase = '';

/** Sets `window.__xss` (and opens a dialog) if it ever runs. */
const XSS = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>';

async function assertInert(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('img[src=x]').count()).toBe(0);
}

async function say(page: Page, text: string): Promise<string> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#m', text);
  await page.press('#m', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
  return (await page.locator('.msg.bot').last().innerText()).trim();
}

beforeAll(async () => {
  h = await startBrowserHarness();
  await addUser(h.services, { username: 'agent1', role: 'agent', displayName: '话务员小李', password: 'agent-password-1' });
  await addUser(h.services, { username: 'hrss1', role: 'dept', dept: 'hrss', displayName: '人社局张科长', password: 'dept-password-1' });
  await addUser(h.services, { username: 'edu1', role: 'dept', dept: 'edu', password: 'dept-password-2' });
  citizen = await h.context(PHONE);
  citizenPage = await citizen.newPage();
  citizenPage.on('dialog', (d) => void d.dismiss().then(() => h.problems.push(`dialog opened: ${d.message()}`)));
  agent = await h.context(DESKTOP);
  await agent.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.baseUrl });
  agentPage = await agent.newPage();
  agentPage.on('dialog', (d) => void (d.type() === 'confirm' ? d.accept() : d.dismiss().then(() => h.problems.push(`dialog: ${d.message()}`))));
  hrss = await h.context(DESKTOP);
  hrssPage = await hrss.newPage();
  hrssPage.on('dialog', (d) => void (d.type() === 'confirm' ? d.accept() : d.dismiss().then(() => h.problems.push(`dialog: ${d.message()}`))));
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('citizen web chat (390 px phone)', () => {
  it('asks a policy question and sees a cited answer', async () => {
    await citizenPage.goto('/');
    await expect.poll(() => citizenPage.locator('.msg.bot').count()).toBeGreaterThan(0);
    const answer = await say(citizenPage, '怎么申请政府信息公开？');
    expect(answer).toMatch(/申请/);
    const cite = citizenPage.locator('.msg.bot').last().locator('.cite');
    expect(await cite.count()).toBeGreaterThan(0);
    expect(await cite.first().innerText()).toContain('公开');
    await h.shot(citizenPage, 'chat-answer-390');
    // 👍/👎 on the answer goes to the question log.
    const answered = citizenPage.locator('.msg.bot:has(.cite)').last();
    await answered.locator('.fb button', { hasText: '有用' }).click();
    await answered.locator('.fb', { hasText: '感谢您的反馈' }).waitFor();
    // Nothing overflows sideways on a phone.
    expect(await citizenPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('files a complaint (with an XSS payload in it) and gets a case number', async () => {
    // Answer like a citizen: type 确认 when asked to confirm, take an offered "登记/工单" button,
    // else answer what is asked. (Typed, not the 确认 button: the engine does not take "1" there.)
    let text = await say(citizenPage, `我要投诉，公司拖欠我三个月工资一直不发 ${XSS}`);
    for (let turn = 0; turn < 10 && !/\d{8}-\d{4,6}/.test(text); turn++) {
      if (/确认提交|回复“确认”/.test(text)) {
        text = await say(citizenPage, '确认');
        continue;
      }
      const last = citizenPage.locator('.msg.bot').last();
      const option = last.locator('.opts button', { hasText: /登记|工单/ });
      if (await option.count()) {
        const before = await citizenPage.locator('.msg.bot').count();
        await option.first().click();
        await citizenPage.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
        text = await citizenPage.locator('.msg.bot').last().innerText();
        continue;
      }
      text = await say(citizenPage,
        /换个说法|具体|描述|什么事/.test(text) ? `公司拖欠我三个月工资一直不发 ${XSS}`
          : /确认|是否|对吗/.test(text) ? '确认'
          : /地点|地址|哪里|位置/.test(text) ? '牡丹区万福街道某工业园'
          : /时间|什么时候|何时/.test(text) ? '从今年八月开始'
          : /联系|电话|手机/.test(text) ? '13812345678'
          : '公司拖欠工资三个月，希望劳动监察部门处理');
    }
    const m = /(\d{8}-\d{4,6})/.exec(text);
    expect(m, `no case number in: ${await citizenPage.locator("#log").innerText()}`).not.toBeNull();
    citizenCase = m![1]!;
    await h.shot(citizenPage, 'chat-case-created-390');
    await assertInert(citizenPage);
  });
});

describe('agent panel (1366×768)', () => {
  it('signs in and searches as they type, with a type filter, highlights and linked interpretations', async () => {
    await signIn(agentPage, 'agent1', 'agent-password-1');
    expect(new URL(agentPage.url()).pathname).toBe('/panel');
    await agentPage.check('input[name=type][value=policy]');
    await agentPage.locator('#q').pressSequentially('政府开放月怎么参加', { delay: 30 });
    await agentPage.waitForFunction(() => document.querySelectorAll('#results .result').length > 0);
    const first = agentPage.locator('#results .result').first();
    expect(await first.locator('.tag').first().innerText()).toBe('政策文件');
    expect(await agentPage.locator('#results .result .tag', { hasText: '办事指南' }).count()).toBe(0);
    expect(await first.locator('mark').count()).toBeGreaterThan(0);
    expect(await agentPage.locator('#results .links a', { hasText: '政策解读' }).count()).toBeGreaterThan(0);
    expect(agentPage.url()).toContain('type=policy');
    await h.shot(agentPage, 'panel-search');
  });

  it('copies the answer in 12345 standard form', async () => {
    const first = agentPage.locator('#results .result').first();
    await first.locator('button.copy').click();
    await expect.poll(() => first.locator('button.copy').innerText()).toBe('已复制');
    const copied = await agentPage.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^您好，关于您咨询的问题，答复如下：/);
    expect(copied).toContain('根据《2021年牡丹区政务公开工作要点》（菏区政办发〔2021〕5号）');
    expect(copied).toContain('感谢您的来电！');
  });

  it('opens the document view with its heading outline', async () => {
    await agentPage.locator('#results .result .title').first().click();
    await agentPage.waitForSelector('nav.outline');
    expect(await agentPage.locator('nav.outline li').count()).toBeGreaterThan(3);
    expect(await agentPage.locator('article.docbody mark').count()).toBeGreaterThan(0);
    await h.shot(agentPage, 'panel-document');
    await agentPage.goBack();
  });

  it('creates a case prefilled from the search and the caller', async () => {
    await agentPage.goto('/panel?q=' + encodeURIComponent('拖欠工资怎么投诉'));
    await agentPage.waitForSelector('#case-form');
    expect(await agentPage.inputValue('#case-form [name=summary]')).toBe('拖欠工资怎么投诉');
    const make = agentPage.locator('#results button.make-case').first();
    if (await make.count()) await make.click();
    await agentPage.fill('#case-form [name=caller]', '王女士');
    await agentPage.fill('#case-form [name=contact]', '13912345678');
    await agentPage.selectOption('#case-form [name=type]', 'help');
    await agentPage.selectOption('#case-form [name=department]', 'hrss');
    await agentPage.fill('#case-form [name=what]', '工地拖欠农民工工资两个月');
    await Promise.all([agentPage.waitForURL(/\/panel\/cases\/\d{8}-\d+/), agentPage.click('#case-form button[type=submit]')]);
    agentCase = (await agentPage.locator('#case-number').innerText()).trim();
    expect(await agentPage.locator('.notice').innerText()).toContain('工单已创建');
    expect(await agentPage.locator('#case-status').innerText()).toBe('已派单');
    expect(await agentPage.locator('main').innerText()).toContain('139****5678');
  });

  it('dispatches the citizen\'s chat case from the queue; citizen text stays inert', async () => {
    await agentPage.goto('/panel/cases');
    await agentPage.waitForSelector('#case-table');
    await h.shot(agentPage, 'panel-cases');
    await assertInert(agentPage);
    await agentPage.click(`#case-table a:text("${citizenCase}")`);
    await assertInert(agentPage);
    // The payload is on the page as text (summary or conversation excerpt), never as markup.
    expect(await agentPage.locator('main').innerText()).toContain('<img src=x onerror=');
    await agentPage.selectOption('#act-dispatch select[name=department]', 'hrss');
    await Promise.all([agentPage.waitForURL(/done=dispatch/), agentPage.click('#act-dispatch button[type=submit]')]);
    expect(await agentPage.locator('#case-status').innerText()).toBe('已派单');
    await h.shot(agentPage, 'panel-case-detail');
  });
});

describe('department inbox', () => {
  it('shows the department only its own cases', async () => {
    await signIn(hrssPage, 'hrss1', 'dept-password-1');
    expect(new URL(hrssPage.url()).pathname).toBe('/dept');
    const table = await hrssPage.locator('#case-table').innerText();
    expect(table).toContain(citizenCase);
    expect(table).toContain(agentCase);
    await assertInert(hrssPage);
    await h.shot(hrssPage, 'dept-inbox');

    const edu = await h.context(DESKTOP);
    const eduPage = await edu.newPage();
    await signIn(eduPage, 'edu1', 'dept-password-2');
    expect(await eduPage.locator('main').innerText()).not.toContain(citizenCase);
    const res = await eduPage.goto(`/dept/cases/${citizenCase}`);
    expect(res!.status()).toBe(404);
    await edu.close();
  });

  it('accepts and replies', async () => {
    await hrssPage.click(`#case-table a:text("${citizenCase}")`);
    await assertInert(hrssPage);
    await Promise.all([hrssPage.waitForURL(/done=accept/), hrssPage.click('#act-accept button[type=submit]')]);
    await hrssPage.fill('#act-reply textarea[name=text]', '已联系企业，责令其于11月15日前足额支付拖欠工资。');
    await Promise.all([hrssPage.waitForURL(/done=reply/), hrssPage.click('#act-reply button[type=submit]')]);
    expect(await hrssPage.locator('#case-status').innerText()).toBe('已答复');
    await h.shot(hrssPage, 'dept-case-replied');
  });
});

describe('back in the citizen chat', () => {
  it('shows the department reply with the case number', async () => {
    // The page polls /api/chat/updates on load and every 15 s; a reload asks at once.
    await citizenPage.reload();
    const reply = citizenPage.locator('#log .msg.bot', { hasText: '责令其于11月15日前足额支付拖欠工资' });
    await reply.first().waitFor({ timeout: 20_000 });
    expect(await reply.first().innerText()).toContain(citizenCase);
    await citizenPage.locator('#log').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await h.shot(citizenPage, 'chat-department-reply-390');
    expect(await citizenPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await assertInert(citizenPage);
  });
});

describe('role isolation', () => {
  it('keeps each role on its own pages', async () => {
    const page = await hrss.newPage();
    for (const path of ['/panel', '/panel/cases', `/panel/cases/${citizenCase}`, '/panel/kpi']) {
      const res = await page.goto(path);
      expect(res!.status(), path).toBe(403);
    }
    expect(await page.locator('h1').innerText()).toBe('无权访问');
    await page.close();
    const res = await agentPage.goto('/dept');
    expect(res!.status()).toBe(403);
    const anon = await h.context(DESKTOP);
    const anonPage = await anon.newPage();
    await anonPage.goto('/panel/cases');
    expect(new URL(anonPage.url()).pathname).toBe('/login');
    await h.shot(anonPage, 'login');
    await anon.close();
  });
});

describe('dashboards', () => {
  it('renders the hot-topics charts and suggestions; citizen text stays inert', async () => {
    // Questions through the real topic pipeline (besides whatever the chat above logged).
    const asks = [
      '新建小区的孩子上学划到哪个学校', '新小区孩子入学学区怎么划分', '我们小区孩子上小学学区划到哪里', `小区孩子上学学区怎么划${XSS}`,
      '公司拖欠工资去哪里投诉', '工资被拖欠三个月怎么办', '拖欠农民工工资找哪个部门',
    ];
    await h.services.topics.recordMany(asks.map((message, i) => ({
      sessionId: `e2eseed${i}xx`, turn: 1, channel: 'web' as const, citizenRef: `web:e2eseed${i}`, message,
      at: `2021-11-0${2 + (i % 4)}T10:00:00+08:00`, action: i < 4 ? 'fallback_offer' as const : 'answer' as const,
      department: i < 4 ? 'edu' : 'hrss', topical: true,
    })));
    await agentPage.goto('/panel/topics?from=2021-10-30&to=2021-11-05');
    await agentPage.waitForSelector('#chart-topics[data-rendered="1"] canvas');
    await agentPage.waitForSelector('#chart-outcomes[data-rendered="1"] canvas');
    expect(await agentPage.locator('#topic-table tbody tr').count()).toBeGreaterThan(0);
    expect(await agentPage.locator('.suggestion').count()).toBeGreaterThan(0);
    await assertInert(agentPage);
    await h.shot(agentPage, 'panel-topics');
    await agentPage.locator('#topic-table a').first().click();
    await agentPage.waitForSelector('#chart-daily[data-rendered="1"] canvas');
    await assertInert(agentPage);
  });

  it('renders the KPI charts with ECharts served locally', async () => {
    await agentPage.goto('/panel/kpi?from=2021-11-01&to=2021-11-30');
    await agentPage.waitForSelector('#chart-volume[data-rendered="1"] canvas');
    await agentPage.waitForSelector('#chart-rates[data-rendered="1"] canvas');
    expect(await agentPage.locator('#kpi-table').innerText()).toContain('人力资源和社会保障局');
    await h.shot(agentPage, 'panel-kpi');
  });
});

describe('the pages run clean', () => {
  it('saw no script errors, CSP violations or dialogs', () => {
    expect(h.problems).toEqual([]);
  });
});
