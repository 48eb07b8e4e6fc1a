import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createMemoryRedis, type Redis } from '../store/redis.js';
import { clientIp, createHttpLimits } from './limits.js';

const connections: Redis[] = [];
afterAll(() => connections.forEach((r) => r.disconnect()));

let n = 0;
async function appWith(env: Record<string, string>, redisOverride?: Redis) {
  const redis = redisOverride ?? (await createMemoryRedis());
  connections.push(redis);
  const clock = fixedClock('2021-11-05T09:00:00+08:00');
  const config = parseConfig({ REDIS_PREFIX: `lim${n++}:`, ...env });
  const lines: string[] = [];
  const limits = createHttpLimits({ config, redis, logger: createLogger('warn', (l) => lines.push(l)), now: () => clock.now().getTime() });
  const app = new Hono();
  app.use('/api/chat', limits.chat);
  app.use('/login', limits.login);
  let made = 0;
  // Like the real route: answers with the session id, picking one when the turn has none.
  app.post('/api/chat', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { sessionId?: string };
    return c.json({ sessionId: body.sessionId ?? `server-made-${made++}` });
  });
  app.post('/login', (c) => c.text('ok'));
  const chat = (body: unknown, ip = '203.0.113.7') =>
    app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    });
  return { app, clock, chat, lines };
}

describe('clientIp', () => {
  const ctx = (headers: Record<string, string>) => {
    let seen = '';
    return async (hops: number) => {
      const app = new Hono();
      app.get('/', (c) => {
        seen = clientIp(c, hops);
        return c.text('');
      });
      await app.request('/', { headers });
      return seen;
    };
  };

  it('ignores X-Forwarded-For unless TRUST_PROXY says how many proxies append to it', async () => {
    const ip = ctx({ 'x-forwarded-for': '1.1.1.1, 10.0.0.5, 10.0.0.9', 'cf-connecting-ip': '9.9.9.9' });
    expect(await ip(0)).toBe('9.9.9.9');
    expect(await ip(1)).toBe('10.0.0.9');
    expect(await ip(2)).toBe('10.0.0.5');
    expect(await ip(5)).toBe('1.1.1.1');
  });

  it('is "unknown" with no socket and no trusted header', async () => {
    expect(await ctx({ 'x-forwarded-for': '1.1.1.1' })(0)).toBe('unknown');
  });
});

describe('chat limits', () => {
  it('limits turns per session with 429, Retry-After and the error shape', async () => {
    const { chat, clock } = await appWith({ CHAT_RATE_PER_MINUTE: '3', TRUST_PROXY: '1' });
    const body = { sessionId: 'session-aaaa', message: '你好' };
    for (let i = 0; i < 3; i++) expect((await chat(body)).status).toBe(200);
    clock.advance(20_000);
    const res = await chat(body);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('40');
    expect(await res.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('40秒') } });
    // Another session from the same IP is unaffected.
    expect((await chat({ sessionId: 'session-bbbb', message: '你好' })).status).toBe(200);
    clock.advance(40_000);
    expect((await chat(body)).status).toBe(200);
  });

  it('limits turns per IP across sessions, and IPs are independent', async () => {
    const { chat } = await appWith({ CHAT_RATE_PER_IP_PER_MINUTE: '4', TRUST_PROXY: '1' });
    for (let i = 0; i < 4; i++) expect((await chat({ sessionId: `sess-ip-${i}0000`, message: 'x' })).status).toBe(200);
    expect((await chat({ sessionId: 'sess-ip-99999', message: 'x' })).status).toBe(429);
    expect((await chat({ message: 'x' }, '198.51.100.1')).status).toBe(200);
  });

  it('limits distinct sessions per IP but never a session already held', async () => {
    const { chat, clock } = await appWith({ SESSIONS_PER_IP: '2', SESSION_TTL_SECONDS: '600', TRUST_PROXY: '1' });
    expect((await chat({ sessionId: 'held-one-1', message: 'x' })).status).toBe(200);
    expect((await chat({ message: 'x' })).status).toBe(200); // a new server-chosen session takes a slot
    expect((await chat({ sessionId: 'server-made-0', message: 'x' })).status).toBe(200); // …once, not again when used
    const third = await chat({ sessionId: 'held-three', message: 'x' });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBe(600);
    expect((await third.json()).error.message).toContain('会话过多');
    expect((await chat({ sessionId: 'held-one-1', message: 'again' })).status).toBe(200);
    clock.advance(600_001);
    expect((await chat({ sessionId: 'held-three', message: 'x' })).status).toBe(200);
  });

  it('leaves malformed bodies to the validator and never reads a non-JSON body', async () => {
    const { app } = await appWith({});
    const bad = await app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sessionId":' });
    expect(bad.status).toBe(200); // the stub handler; the real route answers 400
    const text = await app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(200);
  });

  it('fails open (and logs) when Redis cannot answer', async () => {
    const broken = await createMemoryRedis();
    broken.eval = (async () => {
      throw new Error('connection lost');
    }) as unknown as Redis['eval'];
    // The chat checks share one pipeline: its round trip fails as a whole.
    const pipeline = broken.pipeline.bind(broken);
    broken.pipeline = ((...args: Parameters<Redis['pipeline']>) => {
      const p = pipeline(...args);
      p.exec = async () => {
        throw new Error('connection lost');
      };
      return p;
    }) as Redis['pipeline'];
    const { chat, lines } = await appWith({ CHAT_RATE_PER_MINUTE: '1' }, broken);
    expect((await chat({ sessionId: 'session-cccc', message: 'x' })).status).toBe(200);
    expect((await chat({ sessionId: 'session-cccc', message: 'x' })).status).toBe(200);
    expect(lines.join('\n')).toContain('rate limit check failed');
  });
});

describe('chat limits while Redis is reconnecting', () => {
  it('does not wait for the connection: the request goes straight on', async () => {
    const down = await createMemoryRedis();
    Object.defineProperty(down, 'status', { value: 'reconnecting' });
    down.eval = (() => new Promise(() => undefined)) as unknown as Redis['eval']; // would hang forever
    const { chat, lines } = await appWith({}, down);
    const started = Date.now();
    expect((await chat({ sessionId: 'session-dddd', message: 'x' })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    expect(lines.filter((l) => l.includes('rate limit check failed'))).toHaveLength(1); // logged once, not per check
  });
});

describe('login limit', () => {
  it('limits sign-in attempts per IP', async () => {
    const { app } = await appWith({ LOGIN_RATE_PER_IP_PER_MINUTE: '2', TRUST_PROXY: '1' });
    const post = (ip: string) => app.request('/login', { method: 'POST', headers: { 'x-forwarded-for': ip }, body: new URLSearchParams({ username: 'a' }) });
    expect((await post('192.0.2.1')).status).toBe(200);
    expect((await post('192.0.2.1')).status).toBe(200);
    const res = await post('192.0.2.1');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect((await post('192.0.2.2')).status).toBe(200);
    expect((await app.request('/login', { headers: { 'x-forwarded-for': '192.0.2.1' } })).status).toBe(404); // GET is not limited
  });
});
