import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { addUser, PanelClient } from '../helpers/panel-client.js';
import { testServices, type TestServices } from '../helpers/services.js';

/**
 * Every public endpoint gets generated input — valid-looking, malformed and hostile — through
 * the real app on the real Meilisearch and Redis. The property everywhere: a well-formed answer
 * (2xx/3xx, or 4xx in the `{error:{code,message}}` shape for the JSON API), never a 5xx, never an
 * unhandled rejection. `FUZZ_RUNS` per property (default 200; `npm run fuzz` raises it).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const agentToken = `yhd_${randomBytes(24).toString('base64url')}`;
const deptToken = `yhd_${randomBytes(24).toString('base64url')}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let services: TestServices;
let app: ReturnType<typeof createApp>;
let panel: PanelClient;
let knownCase = '';
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
let inputs = 0;

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  services = await testServices({
    config: {
      AGENT_TOKENS: `fuzz:${sha(agentToken)}`,
      DEPT_TOKENS: `office:${sha(deptToken)}`,
      CASE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      // The limits have their own tests; here they would turn every input into a 429.
      CHAT_RATE_PER_IP_PER_MINUTE: '10000000',
      CHAT_RATE_PER_MINUTE: '10000000',
      SESSIONS_PER_IP: '10000000',
      LOGIN_RATE_PER_IP_PER_MINUTE: '10000000',
    },
  });
  app = createApp(services);
  await addUser(services, { username: 'fuzzer', role: 'agent', displayName: '模糊测试', password: 'fuzz-password-123' });
  panel = new PanelClient(app);
  const page = await panel.get('/login');
  const res = await panel.postForm('/login', { username: 'fuzzer', password: 'fuzz-password-123', _csrf: PanelClient.csrfOf(await page.text()) });
  expect(res.status).toBe(303);
  const created = await api('POST', '/api/cases', { type: 'help', summary: '模糊测试工单', department: 'office' }, agentToken);
  expect(created.status).toBe(201);
  knownCase = ((await created.json()) as { case: { number: string } }).case.number;
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await services?.cleanup();
  console.info(`fuzz-endpoints: ${inputs} generated requests`);
});

function api(method: string, path: string, body?: unknown, token?: string, extra: Record<string, string> = {}): Promise<Response> {
  inputs++;
  return Promise.resolve(
    app.request(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...extra,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
}

/** The property every response must have. */
async function wellFormed(res: Response, what: string): Promise<void> {
  expect(res.status, what).toBeLessThan(500);
  const type = res.headers.get('content-type') ?? '';
  const raw = await res.text();
  if (res.status >= 400 && type.includes('application/json') && raw) {
    const body = JSON.parse(raw) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, what).toBe('string');
    expect(typeof body.error?.message, what).toBe('string');
  }
}

/** A header value as raw bytes on the wire: UTF-8 bytes read as Latin-1 (what Node would see), no CR/LF/NUL. */
const headerValue = (t: string) => Buffer.from(t.replace(/[\r\n\u0000]/g, ''), 'utf8').toString('latin1');

// --- generators -----------------------------------------------------------------------------

const hostile = fc.constantFrom(
  '', ' ', '\u0000', '\u202e', '\uFEFF', '😀'.repeat(50), '<script>alert(1)</script>', '{{7*7}}', '${7*7}', "' OR 1=1 --",
  '" OR type = "policy', '../../etc/passwd', '%00', '\\', '__proto__', 'constructor', 'NaN', '-1', '1e309', '20211105-0001',
  '确认', '取消', '1', '2', '留言登记工单', '转人工', '我要投诉', '我的工单处理得怎么样了', '11010519491231002X', '13912345678',
);
const text = fc.oneof(
  { arbitrary: fc.string({ maxLength: 80 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 120 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
  { arbitrary: hostile, weight: 3 },
  { arbitrary: fc.string({ unit: fc.constantFrom('社保', '医保', '公积金', '怎么', '办理', '？', '，', ' ', '\n'), maxLength: 30 }), weight: 2 },
  { arbitrary: fc.integer({ min: 1990, max: 2500 }).map((n) => '问'.repeat(n)), weight: 1 },
);
const jsonValue = fc.oneof(fc.json({ maxDepth: 3 }).map((s) => JSON.parse(s) as unknown), text, fc.integer(), fc.constant(null), fc.boolean());
const sessionId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/), text, fc.integer());
/** A body shaped like `shape` but with any field possibly wrong, missing or extra. */
const like = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.tuple(
    fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, fc.oneof({ arbitrary: v, weight: 4 }, { arbitrary: jsonValue, weight: 1 })])), { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 2 }),
    fc.boolean(),
  ).map(([body, extra, addExtra]) => (addExtra ? { ...extra, ...body } : body));
const rawBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '[', '{"message":', 'null', '"x"', '{"__proto__":{"admin":true},"message":"hi"}', '{"message":"a","message":"b"}'),
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/JSON');

// --- properties -----------------------------------------------------------------------------

describe('fuzz: web chat', () => {
  it('POST /api/chat with chat-shaped bodies', async () => {
    await fc.assert(
      fc.asyncProperty(like({ sessionId, message: text }), async (body) => {
        await wellFormed(await api('POST', '/api/chat', body), JSON.stringify(body).slice(0, 200));
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /api/chat with raw bodies and content types', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        await wellFormed(await api('POST', '/api/chat', body, undefined, { 'content-type': type }), `${type} ${body.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid messages always get a reply (200) in conversations of random turns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 6 }), async (messages) => {
        let sid: string | undefined;
        for (const message of messages) {
          const res = await api('POST', '/api/chat', sid ? { sessionId: sid, message } : { message });
          const valid = message.trim().length > 0 && message.trim().length <= 2000 && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(message);
          if (!valid) {
            expect(res.status, message.slice(0, 100)).toBe(400);
            await res.arrayBuffer();
            continue;
          }
          expect(res.status, message.slice(0, 100)).toBe(200);
          const body = (await res.json()) as { sessionId: string; replies: Array<{ text: string }> };
          expect(body.replies.length).toBeGreaterThan(0);
          expect(body.replies.every((r) => typeof r.text === 'string' && r.text.length > 0)).toBe(true);
          sid = body.sessionId;
        }
      }),
      { numRuns: Math.max(10, Math.floor(RUNS / 4)) },
    );
  });

  it('GET /api/chat/updates with any query', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('sessionId', 'after', 'x', 'sessionId[]'), fc.oneof(text, fc.stringMatching(/^\d{1,20}-\d{1,20}$/)), { maxKeys: 3 }), async (q) => {
        await wellFormed(await api('GET', `/api/chat/updates?${new URLSearchParams(q as Record<string, string>)}`), JSON.stringify(q));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: feedback and topics', () => {
  it('POST /api/feedback with any body, also on real sessions', async () => {
    const real = (await (await api('POST', '/api/chat', { message: '社保卡丢了怎么补办' })).json()) as { sessionId: string };
    await fc.assert(
      fc.asyncProperty(
        like({
          sessionId: fc.oneof(fc.constant(real.sessionId), sessionId),
          turn: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.integer()),
          logId: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), text),
          useful: fc.boolean(),
        }),
        async (body) => {
          await wellFormed(await api('POST', '/api/feedback', body), JSON.stringify(body).slice(0, 200));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('GET /api/topics/* with any query and id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('hot', 'hot.csv', 'suggestions', 'suggestions.csv', 't0123456789ab', 't0123456789ab.csv'), text.map(encodeURIComponent)),
        fc.dictionary(fc.constantFrom('from', 'to', 'days', 'limit', 'format', 'x'), fc.oneof(text, fc.constantFrom('2021-11-01', '2021-11-30', 'csv', 'json', '7', '0', '101')), { maxKeys: 4 }),
        async (path, q) => {
          await wellFormed(await api('GET', `/api/topics/${path}?${new URLSearchParams(q as Record<string, string>)}`, undefined, agentToken), `${path} ${JSON.stringify(q)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: case APIs', () => {
  const caseType = fc.constantFrom('consult', 'help', 'complain', 'report', 'suggest');
  const number = fc.oneof(fc.constant(() => knownCase), fc.constant(() => '20211105-9999'), text.map((t) => () => t));

  it('POST /api/cases (agent)', async () => {
    await fc.assert(
      fc.asyncProperty(
        like({ type: caseType, summary: text, department: fc.oneof(fc.constant('office'), text), details: fc.dictionary(fc.string({ maxLength: 10 }), text, { maxKeys: 3 }), contact: text, channel: fc.constantFrom('web', 'wechat', 'panel'), citizenRef: text }),
        fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{8,40}$/), text), { nil: undefined }),
        async (body, key) => {
          await wellFormed(await api('POST', '/api/cases', body, agentToken, key === undefined ? {} : { 'idempotency-key': headerValue(key) }), JSON.stringify(body).slice(0, 200));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('case actions and lookups (agent and department) with any number and body', async () => {
    const agentActions = ['dispatch', 'extension', 'urge', 'close', 'feedback', 'reopen'];
    const deptActions = ['accept', 'reply', 'return', 'extension'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('agent', 'dept'),
        number,
        fc.constantFrom(...agentActions, ...deptActions, '', 'contact'),
        like({ department: fc.constant('office'), note: text, reason: text, text, days: fc.integer({ min: -5, max: 40 }), approve: fc.boolean(), satisfaction: fc.constantFrom('satisfied', 'basically', 'unsatisfied'), comment: text }),
        async (who, num, action, body) => {
          const base = who === 'agent' ? '/api/cases' : '/api/dept/cases';
          const path = `${base}/${encodeURIComponent(num())}${action ? `/${action}` : ''}`;
          const token = who === 'agent' ? agentToken : deptToken;
          const get = action === '' || action === 'contact';
          await wellFormed(await api(get ? 'GET' : 'POST', path, get ? undefined : body, token), `${path} ${JSON.stringify(body).slice(0, 150)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('case listings, KPI reports and authorization headers with any query', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/cases', '/api/cases/overdue', '/api/cases/near-due', '/api/dept/cases', '/api/reports/kpi'),
        fc.dictionary(fc.constantFrom('status', 'department', 'overdue', 'nearDue', 'offset', 'limit', 'from', 'to', 'x'), fc.oneof(text, fc.integer().map(String), fc.constantFrom('2021-11-01', '2021-11-30', 'true', '1', 'pending')), { maxKeys: 4 }),
        fc.oneof(fc.constantFrom(`Bearer ${agentToken}`, `Bearer ${deptToken}`, 'Bearer ', 'Basic YTpi', ''), text.map((t) => `Bearer ${t}`)),
        async (path, q, auth) => {
          const headers = { authorization: headerValue(auth) };
          await wellFormed(await api('GET', `${path}?${new URLSearchParams(q as Record<string, string>)}`, undefined, undefined, headers), `${path} ${JSON.stringify(q)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: login and panel', () => {
  it('POST /login with any form, with and without the CSRF token', async () => {
    const visitor = new PanelClient(app);
    const csrf = PanelClient.csrfOf(await (await visitor.get('/login')).text());
    await fc.assert(
      fc.asyncProperty(
        fc.record({ username: text, password: text, next: text, _csrf: fc.oneof(fc.constant(csrf), text) }, { requiredKeys: [] }),
        contentType,
        async (form, type) => {
          inputs++;
          const anon = new PanelClient(app);
          anon.cookies = new Map(visitor.cookies);
          const res = await anon.request('/login', {
            method: 'POST',
            headers: { 'content-type': type, origin: anon.origin },
            body: new URLSearchParams(form as Record<string, string>).toString(),
          });
          await wellFormed(res, JSON.stringify(form).slice(0, 200));
          // A redirect after sign-in stays on this site (no open redirect through `next`).
          const location = res.headers.get('location');
          if (location) expect(location.startsWith('/') && !location.startsWith('//')).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('panel pages with any query, signed in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/panel', '/panel/results', '/login', '/', '/panel/doc/x', '/panel/cases', '/panel/topics'),
        fc.dictionary(fc.constantFrom('q', 'type', 'dept', 'status', 'from', 'to', 'next', 'page'), text, { maxKeys: 4 }),
        async (path, q) => {
          inputs++;
          await wellFormed(await panel.get(`${path}?${new URLSearchParams(q as Record<string, string>)}`), `${path} ${JSON.stringify(q)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any method and path', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.oneof(fc.webPath(), text.map((t) => `/api/${encodeURIComponent(t)}`), fc.constantFrom('/api/chat', '/api/cases', '/readyz', '/healthz', '/api/chat/updates')),
        async (method, path) => {
          await wellFormed(await api(method, path.startsWith('/') ? path : `/${path}`, method === 'GET' || method === 'HEAD' ? undefined : '{}'), `${method} ${path}`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: aftermath', () => {
  it('left no unhandled rejection behind and the service still answers', async () => {
    await new Promise((r) => setTimeout(r, 100));
    expect(rejections).toEqual([]);
    expect((await app.request('/readyz')).status).toBe(200);
  });
});
