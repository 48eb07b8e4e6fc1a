import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.js';

// The real Node entry with tight timeouts, so slow clients are cut off in test time.
let svc: SpawnedService;
beforeAll(async () => {
  svc = await spawnService({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_KEEPALIVE_TIMEOUT_MS: '1000' });
});
afterAll(() => svc?.stop());

interface Outcome {
  closedAfterMs: number;
  response: string;
}

/** Open a raw connection, send `first`, then drip `drip` one byte every `everyMs` until the server hangs up. */
function slowClient(first: string, drip: string, everyMs: number, giveUpMs = 10_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock: Socket = connect(svc.port, '127.0.0.1');
    let response = '';
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      sock.destroy();
      reject(new Error(`server kept a slow client for ${giveUpMs} ms`));
    }, giveUpMs);
    sock.on('connect', () => {
      sock.write(first);
      timer = setInterval(() => {
        if (!sock.writable) return;
        sock.write(drip[i++ % drip.length]!);
      }, everyMs);
    });
    sock.on('data', (d) => (response += d.toString()));
    sock.on('error', () => undefined); // EPIPE/ECONNRESET once the server hangs up
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, response });
    });
  });
}

async function chatOk(): Promise<number> {
  const res = await fetch(`${svc.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: '你好' }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('slow clients (slowloris) against the Node server', () => {
  it('drops a client that never finishes its headers, with 408, around HTTP_HEADERS_TIMEOUT_MS', async () => {
    const out = await slowClient('POST /api/chat HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: aaaaaaaaaaaa\r\n', 200);
    expect(out.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(out.closedAfterMs).toBeLessThan(3000);
    expect(out.response).toMatch(/^HTTP\/1\.1 408/);
  });

  it('drops a client that sends its body byte by byte, around HTTP_REQUEST_TIMEOUT_MS', async () => {
    const head = 'POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n';
    const out = await slowClient(head, '{"message":"' + '慢'.repeat(50), 200);
    expect(out.closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(out.closedAfterMs).toBeLessThan(4500);
    expect(out.response).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('keeps serving other clients while 40 slow connections are open', async () => {
    const slow = Array.from({ length: 40 }, () =>
      slowClient('GET /healthz HTTP/1.1\r\nHost: localhost\r\n', 'X-A: b\r\n', 300).catch((e: Error) => e),
    );
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    expect(await chatOk()).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    const outcomes = await Promise.all(slow);
    for (const o of outcomes) {
      expect(o).not.toBeInstanceOf(Error);
      expect((o as Outcome).closedAfterMs).toBeLessThan(3500);
    }
  });

  it('closes an idle keep-alive connection after HTTP_KEEPALIVE_TIMEOUT_MS', async () => {
    const out = await new Promise<Outcome>((resolve) => {
      const started = Date.now();
      const sock = connect(svc.port, '127.0.0.1', () => sock.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      let response = '';
      sock.on('data', (d) => (response += d.toString()));
      sock.on('close', () => resolve({ closedAfterMs: Date.now() - started, response }));
    });
    expect(out.response).toMatch(/^HTTP\/1\.1 200/);
    expect(out.closedAfterMs).toBeLessThan(3000);
  });

  it('refuses an oversized body with 413 and oversized headers with 431', async () => {
    const big = await fetch(`${svc.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(70 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('payload_too_large');
    const headers = await fetch(`${svc.url}/healthz`, { headers: { 'x-junk': 'y'.repeat(20 * 1024) } });
    expect(headers.status).toBe(431);
  });
});
