import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseNotifier } from '../../src/cases/notifier.js';
import type { Actor, CaseEvent } from '../../src/cases/types.js';
import { startCaseNotifierFor } from '../../src/cases/wiring.js';
import { startRedis, type RedisProcess } from '../../src/node/redis-process.js';
import { testServices, type TestServices } from '../helpers/services.js';

/**
 * Fault test: our own redis-server with AOF (`appendfsync always`) is SIGKILLed while cases are
 * being created and dispatched, then restarted on the same directory and port. Every
 * acknowledged case must be there exactly once, client retries with the same idempotency keys
 * must not duplicate anything, and every dispatch notification must reach the webhook.
 */
const N = 80;
const agent: Actor = { kind: 'agent', id: 'alice' };
let dir: string;
let redis: RedisProcess;
let s: TestServices;
let server: Server;
let notifier: CaseNotifier | undefined;
const delivered = new Map<string, number>(); // idempotency key -> deliveries

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yhd-cases-fault-'));
  redis = await startRedis({ dataDir: dir, fsyncAlways: true });
  server = createServer((req, res) => {
    const key = String(req.headers['idempotency-key']);
    req.resume().on('end', () => {
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  s = await testServices({ indexKnowledge: false, config: { REDIS_URL: redis.url } });
  // The outage is intended: failed commands are what the test counts, not connection noise.
  s.redis.on('error', () => undefined);
  const directory = { list: s.directory.list, get: (id: string) => { const d = s.directory.get(id); return d && { ...d, webhook: url }; } };
  notifier = startCaseNotifierFor({ ...s, directory }, { consumer: 'fault', now: Date.now, backoffMs: 100, claimIdleMs: 500, blockMs: 200 });
});

afterAll(async () => {
  await notifier?.stop();
  await s?.cleanup().catch(() => undefined);
  await redis?.stop();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 40_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const input = (i: number) => ({
  type: 'complain' as const, summary: `故障测试${i}`, channel: 'web' as const, citizenRef: `web:fault${i}`, idempotencyKey: `fault-${i}`,
  contact: '13900001111',
});

describe('cases survive SIGKILL of Redis (AOF, appendfsync always)', () => {
  it('keeps every acknowledged case exactly once and delivers every dispatch notification', async () => {
    const acked = new Map<number, string>(); // i -> number
    const failed = new Set<number>();
    let killed = false;
    let restarted = false;
    let ackedAtKill = 0;

    const crash = (async () => {
      await until('25 acknowledged cases', async () => acked.size >= 25);
      await redis.kill();
      ackedAtKill = acked.size;
      killed = true;
      await new Promise((r) => setTimeout(r, 400));
      redis = await startRedis({ dataDir: dir, port: redis.port, fsyncAlways: true });
      restarted = true;
    })();

    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        try {
          const { case: c } = await s.cases.create(input(i), agent);
          acked.set(i, c.number);
          await s.cases.dispatch(c.number, { department: 'housing' }, agent);
        } catch {
          failed.add(i);
        }
        // Pace the creators so the crash lands in the middle of the run.
        if (killed && !restarted) await new Promise((r) => setTimeout(r, 20));
        else await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await crash;
    expect(killed && restarted).toBe(true);
    // The crash landed mid-run. Requests in flight either failed (the client retries below) or
    // were queued by ioredis and completed after the restart; both outcomes are checked below.
    expect(ackedAtKill).toBeLessThan(N);
    expect(new Set([...acked.keys(), ...failed]).size).toBe(N);

    // Clients retry every request with the same idempotency key (a crash leaves them unsure).
    await until('Redis back for the clients', async () => (await s.redis.ping()) === 'PONG');
    for (let i = 0; i < N; i++) {
      const { case: c, created } = await s.cases.create(input(i), agent);
      if (acked.has(i)) {
        expect(c.number).toBe(acked.get(i));
        expect(created).toBe(false);
      }
      acked.set(i, c.number);
      if (c.status === 'new') await s.cases.dispatch(c.number, { department: 'housing' }, agent);
    }

    // Exactly once: N keys, N distinct numbers, N cases in the index, each with its own key.
    const numbers = [...acked.values()];
    expect(new Set(numbers).size).toBe(N);
    const all = await s.redis.zrange(`${s.config.REDIS_PREFIX}cases:all`, 0, -1);
    expect(all.sort()).toEqual([...numbers].sort());
    for (const [i, number] of acked) {
      const c = await s.cases.get(number);
      expect(c?.idempotencyKey).toBe(`fault-${i}`);
      expect(c?.status).toBe('dispatched');
      expect(c?.contact?.masked).toBe('139****1111');
      expect((await s.cases.revealContact(number, agent))).toBe('13900001111');
    }

    // The outbox: every dispatch event in the stream reaches the webhook (at least once).
    const rows = (await s.redis.xrange(`${s.config.REDIS_PREFIX}case-events`, '-', '+')) as Array<[string, string[]]>;
    const events = rows.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]!) as CaseEvent).filter((e) => e.type === 'case.dispatched');
    expect(new Set(events.map((e) => e.number))).toEqual(new Set(numbers));
    await until('every notification delivered', async () => events.every((e) => delivered.has(e.id)));
    expect(events).toHaveLength(N); // one dispatch per case: no duplicate transitions
  }, 120_000);
});
