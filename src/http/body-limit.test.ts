import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimit } from './body-limit.js';

/** Send a POST; `chunked` leaves Content-Length out so Node frames the body in chunks. */
function post(port: number, body: string, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/echo',
        headers: { 'content-type': 'application/json', ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': bytes.length }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    // Two writes, so a chunked body really arrives in pieces.
    req.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    req.end(bytes.subarray(Math.floor(bytes.length / 2)));
  });
}

describe('bodyLimit (node server)', () => {
  let server: ServerType;
  let port = 0;
  let materialised = 0;

  beforeAll(async () => {
    const app = new Hono();
    app.use('*', bodyLimit({ maxSize: 64, onError: (c) => c.json({ error: { code: 'payload_too_large', message: '请求内容过大' } }, 413) }));
    app.post('/echo', async (c) => {
      const body = (await c.req.json()) as { m: string };
      return c.json({ m: body.m });
    });
    // Count requests for which a full WHATWG Request (with its body stream) was built.
    const counting = new Hono();
    counting.use('*', async (c, next) => {
      await next();
      const raw = c.req.raw as unknown as Record<symbol, unknown>;
      if (Object.getOwnPropertySymbols(raw).some((s) => s.description === 'requestCache' && raw[s])) materialised++;
    });
    counting.route('/', app);
    await new Promise<void>((resolve) => {
      server = serve({ fetch: counting.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes a body within the limit, judged by Content-Length, without building a full Request', async () => {
    materialised = 0;
    const res = await post(port, JSON.stringify({ m: '社保怎么交' }), false);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ m: '社保怎么交' });
    expect(materialised).toBe(0);
  });

  it('refuses a declared oversized body with the error handler', async () => {
    const res = await post(port, JSON.stringify({ m: '长'.repeat(100) }), false);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.code).toBe('payload_too_large');
  });

  it('counts a chunked body: small passes intact, large is refused', async () => {
    const ok = await post(port, JSON.stringify({ m: '分块' }), true);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ m: '分块' });
    const big = await post(port, JSON.stringify({ m: 'x'.repeat(200) }), true);
    expect(big.status).toBe(413);
  });
});
