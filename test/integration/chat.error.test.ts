import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  services = await testServices({ indexKnowledge: false });
  app = createApp(services);
});
afterAll(() => services.cleanup());

const post = (body: string, type = 'application/json') =>
  app.request('/api/chat', { method: 'POST', headers: { 'content-type': type }, body });

describe('chat input validation', () => {
  it.each([
    ['malformed JSON', '{"message":'],
    ['missing message', '{}'],
    ['non-string message', '{"message":42}'],
    ['empty message', '{"message":"   "}'],
    ['too long', JSON.stringify({ message: '问'.repeat(2001) })],
    ['control characters', JSON.stringify({ message: '你好\u0000\u0007' })],
    ['bad session id', JSON.stringify({ sessionId: '../../etc', message: '你好' })],
    ['unknown field', JSON.stringify({ message: '你好', admin: true })],
    ['array body', '[]'],
  ])('%s → 400 with {error:{code,message}}', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(json.error.code).toBe('bad_request');
    expect(typeof json.error.message).toBe('string');
  });

  it('wrong content type → 400', async () => {
    const res = await post('message=hi', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
  });

  it('unknown route → 404 JSON', async () => {
    const res = await app.request('/api/nope');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });

  it('oversized body → 413', async () => {
    const res = await post(JSON.stringify({ message: 'x'.repeat(100_000) }));
    expect(res.status).toBe(413);
  });
});
