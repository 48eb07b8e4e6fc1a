import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  services = await testServices();
  app = createApp(services);
});
afterAll(() => services.cleanup());

const chat = (body: unknown) =>
  app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('service smoke (real Meilisearch + Redis)', () => {
  it('is live and ready', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });

  it('answers 怎么申请政府信息公开？ with a citation to the knowledge base', async () => {
    const res = await chat({ message: '怎么申请政府信息公开？' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(body.reply.citations.length).toBeGreaterThan(0);
    expect(body.reply.citations[0].title).toContain('公开');
    expect(body.reply.text).toMatch(/申请/);
  });

  it('serves the web chat page', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('一号答');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
