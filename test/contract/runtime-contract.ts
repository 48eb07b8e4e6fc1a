import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VENDOR_PATHS } from '../../src/panel/static-assets.js';

/** How a contract test reaches a running app: by path, on whichever runtime serves it. */
export type ContractFetch = (path: string, init?: RequestInit) => Promise<Response>;

export const GOLDEN_QUESTION = '怎么申请政府信息公开？';

/** A hotline agent's bearer token for this run; config holds only its digest. */
export const CONTRACT_AGENT_TOKEN = `yhd_contract_${randomBytes(16).toString('hex')}`;

/** Settings both runtimes must be started with for the contract (merged into their env/config). */
export const CONTRACT_SETTINGS = {
  AGENT_TOKENS: `contract:${createHash('sha256').update(CONTRACT_AGENT_TOKEN).digest('hex')}`,
  CASE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
} as const;

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/**
 * The behaviour every runtime of the app must share (Node via `app.request`, Workers via
 * workerd), against the real Meilisearch and Redis. Call inside a test file after the target
 * is ready; `get()` is read lazily because targets start in `beforeAll`.
 */
export function describeRuntimeContract(runtime: string, get: () => ContractFetch) {
  const request: ContractFetch = (path, init) => get()(path, init);
  const chat = (body: unknown) => request('/api/chat', json(body));

  describe(`runtime contract: ${runtime}`, () => {
    it('is live and ready (Meilisearch, index and Redis reachable)', async () => {
      expect((await request('/healthz')).status).toBe(200);
      const res = await request('/readyz');
      const body = await res.json();
      expect(body).toMatchObject({ status: 'ready' });
      expect(Object.values(body.checks).every((v) => v === true)).toBe(true);
      expect(res.status).toBe(200);
    });

    it(`answers ${GOLDEN_QUESTION} with a citation to the knowledge base`, async () => {
      const res = await chat({ message: GOLDEN_QUESTION });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      expect(body.reply.citations.length).toBeGreaterThan(0);
      expect(body.reply.citations[0].title).toContain('公开');
      expect(body.reply.text).toMatch(/申请/);
      expect(body.reply.confidence).toBeGreaterThan(0);
    });

    it('keeps the session across requests (state written to and read back from Redis)', async () => {
      const first = await (await chat({ message: GOLDEN_QUESTION })).json();
      const res = await chat({ sessionId: first.sessionId, message: '谢谢' });
      expect(res.status).toBe(200);
      const second = await res.json();
      expect(second.sessionId).toBe(first.sessionId);
      expect(typeof second.reply.text).toBe('string');
      expect(second.reply.text.length).toBeGreaterThan(0);
    });

    it.each([
      ['malformed JSON', '{"message":'],
      ['missing message', '{}'],
      ['empty message', { message: '   ' }],
      ['too long', { message: '问'.repeat(2001) }],
      ['control characters', { message: '你好\u0000' }],
    ])('rejects bad chat input (%s) with 400 {error:{code,message}}', async (_name, body) => {
      const res = await chat(body);
      expect(res.status).toBe(400);
      const err = await res.json();
      expect(err.error.code).toBe('bad_request');
      expect(typeof err.error.message).toBe('string');
    });

    it('registers a case (工单) for an agent, once per Idempotency-Key, and reads it back', async () => {
      const key = `contract-${randomBytes(6).toString('hex')}`;
      const create = () =>
        request('/api/cases', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${CONTRACT_AGENT_TOKEN}`, 'idempotency-key': key },
          body: JSON.stringify({ type: 'help', summary: '小区路灯不亮，晚上出行不便', department: 'housing', contact: '13800138000' }),
        });
      const first = await create();
      expect(first.status).toBe(201);
      const created = await first.json();
      expect(created.created).toBe(true);
      expect(created.case.number).toMatch(/^\d{8}-\d{4,5}$/);
      expect(JSON.stringify(created.case)).not.toContain('13800138000');

      const again = await create();
      expect(again.status).toBe(200);
      expect((await again.json()).case.number).toBe(created.case.number);

      const read = await request(`/api/cases/${created.case.number}`, { headers: { authorization: `Bearer ${CONTRACT_AGENT_TOKEN}` } });
      expect(read.status).toBe(200);
      const view = await read.json();
      expect(view.case.number).toBe(created.case.number);
      expect(view.audit.length).toBeGreaterThan(0);

      // Encrypted in one request, decrypted in another: the key is configuration, not per process.
      const contact = await request(`/api/cases/${created.case.number}/contact`, { headers: { authorization: `Bearer ${CONTRACT_AGENT_TOKEN}` } });
      expect(contact.status).toBe(200);
      expect((await contact.json()).contact).toBe('13800138000');
    });

    it('refuses the case API without a valid token (401 JSON)', async () => {
      const res = await request('/api/cases', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer yhd_not_a_real_token' },
        body: JSON.stringify({ type: 'help', summary: '测试' }),
      });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    });

    it('answers an unknown route with 404 JSON', async () => {
      const res = await request('/api/nope');
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    });

    it('serves the web chat page and its script under the CSP', async () => {
      const page = await request('/');
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('一号答');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const script = await request('/assets/chat.js');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
    });

    it('serves the staff panel\'s sign-in page and its own assets', async () => {
      const login = await request('/login');
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('<form');
      for (const [path, type] of [['/panel/assets/panel.css', 'text/css'], ['/panel/assets/panel.js', 'javascript'], ['/panel/assets/charts.js', 'javascript']]) {
        const res = await request(path!);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toContain(type);
      }
    });

    it('serves the panel\'s large static files through the StaticAssets port', async () => {
      for (const path of Object.values(VENDOR_PATHS)) {
        const res = await request(path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toContain('javascript');
        expect((await res.text()).length, path).toBeGreaterThan(100_000);
      }
    });
  });
}
