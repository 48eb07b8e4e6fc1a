import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../helpers/panel-client.js';
import { testServices, uniqueName, type TestServices } from '../helpers/services.js';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.js';

/**
 * The real Node entry at LOG_LEVEL=debug gets ID numbers, phones, e-mails, bank cards,
 * passwords, bearer tokens and configured secrets through every public door; then its whole
 * stdout+stderr is grepped for them.
 */
const SECRETS = {
  idCard: '11010519491231002X', // valid checksum
  idCard2: '440308199901010012',
  mobile: '13912345678',
  mobile2: '15098765432',
  email: 'zhang.san.secret@example.com',
  bankCard: '6222021234567890128', // Luhn-valid
  password: 'Hunter2-Secret-Pw!',
  goodPassword: 'correct-horse-battery-staple',
  agentToken: `yhd_${randomBytes(24).toString('base64url')}`,
  wrongToken: `yhd_${randomBytes(24).toString('base64url')}`,
  caseKey: randomBytes(32).toString('hex'),
  wechatSecret: randomBytes(24).toString('hex'),
  meiliKey: '', // filled from the test setup below
};

let svc: SpawnedService;
let services: TestServices;
const prefix = `${uniqueName('logs')}:`;
const indexName = uniqueName('logs_passages');

beforeAll(async () => {
  services = await testServices({ config: { REDIS_PREFIX: prefix, INDEX_NAME: indexName }, indexKnowledge: false });
  SECRETS.meiliKey = services.config.MEILI_MASTER_KEY ?? '';
  await addUser(services, { username: 'agent9', role: 'agent', displayName: '坐席九', password: SECRETS.goodPassword });
  svc = await spawnService({
    LOG_LEVEL: 'debug',
    REDIS_PREFIX: prefix,
    INDEX_NAME: indexName,
    AGENT_TOKENS: `ops:${createHash('sha256').update(SECRETS.agentToken).digest('hex')}`,
    CASE_ENCRYPTION_KEY: SECRETS.caseKey,
    WECHAT_REF_SECRET: SECRETS.wechatSecret,
  });
});
afterAll(async () => {
  await svc?.stop();
  await services?.cleanup();
});

async function chat(sessionId: string | undefined, message: string) {
  const res = await fetch(`${svc.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sessionId ? { sessionId, message } : { message }),
  });
  const body = (await res.json()) as { sessionId: string };
  return { status: res.status, sessionId: body.sessionId };
}

/** A form post through the real login page (CSRF cookie + token, same-site Origin). */
async function login(username: string, password: string): Promise<{ status: number; cookie: string }> {
  const page = await fetch(`${svc.url}/login`);
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${svc.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: svc.url, cookie },
    body: new URLSearchParams({ username, password, _csrf: token }).toString(),
  });
  await res.arrayBuffer();
  return { status: res.status, cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
}

describe('secrets and personal data never reach the logs', () => {
  it('sends personal data and secrets through chat, case intake, login and the staff API', async () => {
    // Chat: personal data in questions, in a complaint's details and as the contact number.
    const a = await chat(undefined, `我的身份证号是${SECRETS.idCard}，手机${SECRETS.mobile}，邮箱${SECRETS.email}，社保卡怎么办？`);
    expect(a.status).toBe(200);
    expect((await chat(a.sessionId, `银行卡${SECRETS.bankCard}被冻结了，身份证${SECRETS.idCard2}`)).status).toBe(200);
    const c = (await chat(undefined, '我要投诉')).sessionId;
    for (const m of [`工地半夜施工太吵，负责人电话${SECRETS.mobile2}`, '牡丹区万福街道某小区东边', '这一个星期每天晚上', SECRETS.mobile, '确认']) {
      expect((await chat(c, m)).status).toBeLessThan(500);
    }
    // Hostile-ish chat bodies that hit the validator and error paths, still carrying data.
    const bad = await fetch(`${svc.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: `${SECRETS.idCard}\u0000`, extra: SECRETS.password }),
    });
    expect(bad.status).toBe(400);

    // Login: a wrong password, a password typed into the user name field, then a right one.
    expect((await login('agent9', SECRETS.password)).status).toBe(401);
    expect((await login(SECRETS.password, SECRETS.password)).status).toBeLessThan(500);
    const ok = await login('agent9', SECRETS.goodPassword);
    expect(ok.status).toBe(303);
    const panel = await fetch(`${svc.url}/panel?q=${encodeURIComponent(`社保 ${SECRETS.idCard}`)}`, { headers: { cookie: ok.cookie } });
    expect(panel.status).toBe(200);
    await panel.arrayBuffer();

    // Staff API: a right and a wrong bearer token, and a basic-auth style header.
    for (const auth of [`Bearer ${SECRETS.agentToken}`, `Bearer ${SECRETS.wrongToken}`, `Basic ${btoa(`agent9:${SECRETS.password}`)}`]) {
      const res = await fetch(`${svc.url}/api/cases`, { headers: { authorization: auth } });
      expect(res.status).toBeLessThan(500);
      await res.arrayBuffer();
    }
  });

  it('the captured log output holds none of them', async () => {
    await new Promise((r) => setTimeout(r, 300)); // let the last lines arrive
    const log = svc.output.join('\n');
    // We did capture the service's logs (this test cannot pass on an empty capture).
    expect(log).toContain('listening on');
    expect(log).toMatch(/panel sign-in failed/);
    const lower = log.toLowerCase();
    const leaks = Object.entries(SECRETS).filter(([, v]) => v && lower.includes(v.toLowerCase()));
    expect(leaks.map(([k]) => k)).toEqual([]);
    // Digits of ID/phone numbers in any spacing (e.g. a JSON array of characters) do not appear either.
    for (const digits of [SECRETS.idCard, SECRETS.mobile, SECRETS.mobile2, SECRETS.bankCard]) {
      expect(log.replace(/[^0-9X]/g, '')).not.toContain(digits);
    }
  });
});
