import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseNotifier } from '../../src/cases/notifier.js';
import type { Actor } from '../../src/cases/types.js';
import { startCaseNotifierFor } from '../../src/cases/wiring.js';
import { fixedClock } from '../../src/clock.js';
import type { DepartmentDirectory } from '../../src/knowledge/departments.js';
import { testServices, type TestServices } from '../helpers/services.js';

/** Department webhooks through the Redis Streams outbox, against a local HTTP receiver and real Redis. */
interface Hit { path: string; key: string | undefined; body: Record<string, any>; status: number; t: number }
const hits: Hit[] = [];
const failuresLeft = new Map<string, number>();
let server: Server;
let base: string;
const clock = fixedClock('2021-11-05T09:00:00+08:00');
const agent: Actor = { kind: 'agent', id: 'alice' };
let s: TestServices;
let directory: DepartmentDirectory;
const notifiers: CaseNotifier[] = [];

function header(h: IncomingHttpHeaders, name: string) {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const key = header(req.headers, 'idempotency-key');
      let status = 200;
      if (req.url === '/gone') status = 410;
      else if (req.url === '/flaky') {
        // Each event fails twice with 500 before it is accepted.
        const left = failuresLeft.get(key ?? '') ?? 2;
        if (left > 0) status = 500;
        failuresLeft.set(key ?? '', left - 1);
      }
      hits.push({ path: req.url ?? '', key, body: JSON.parse(raw || '{}'), status, t: Date.now() });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s = await testServices({ clock, indexKnowledge: false });
  const hooks: Record<string, string> = { housing: `${base}/flaky`, market: `${base}/gone`, civil: `${base}/ok` };
  directory = {
    list: s.directory.list,
    get: (id) => {
      const d = s.directory.get(id);
      return d && hooks[id] ? { ...d, webhook: hooks[id] } : d;
    },
  };
});

afterAll(async () => {
  await Promise.all(notifiers.map((n) => n.stop()));
  await new Promise((r) => server.close(r));
  await s.cleanup();
});

function start(consumer: string) {
  const n = startCaseNotifierFor({ ...s, directory }, { consumer, now: Date.now, backoffMs: 150, claimIdleMs: 400, blockMs: 200 });
  notifiers.push(n);
  return n;
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let seq = 0;
async function dispatched(department: string) {
  const { case: c } = await s.cases.create(
    { type: 'complain', summary: '噪音扰民', channel: 'web', citizenRef: `web:hook${seq}`, idempotencyKey: `hook-${seq++}` }, agent,
  );
  await s.cases.dispatch(c.number, { department }, agent);
  return c.number;
}

describe('department webhooks via the Redis Streams outbox', () => {
  it('retries a failing webhook with backoff, with the same Idempotency-Key each time, until it succeeds', async () => {
    const n1 = start('w1');
    const number = await dispatched('housing');
    const forCase = () => hits.filter((h) => h.body.case?.number === number);
    await until('a successful delivery', () => forCase().some((h) => h.status === 200));
    const tries = forCase();
    expect(tries.map((h) => h.status)).toEqual([500, 500, 200]);
    expect(new Set(tries.map((h) => h.key)).size).toBe(1);
    // Exponential backoff: 150 ms, then 300 ms (the loop checks due retries at least every 200 ms).
    expect(tries[1]!.t - tries[0]!.t).toBeGreaterThanOrEqual(140);
    expect(tries[2]!.t - tries[1]!.t).toBeGreaterThanOrEqual(290);
    expect(tries[0]!.key).toMatch(new RegExp(`^${number}:\\d+:dispatched$`));
    expect(tries[2]!.body).toMatchObject({
      id: tries[0]!.key, type: 'case.dispatched',
      case: { number, type: 'complain', typeLabel: '投诉', summary: '噪音扰民', department: 'housing' },
    });
    expect(JSON.stringify(tries[2]!.body)).not.toMatch(/web:hook/); // no citizen reference leaves the service
    await n1.stop();
  });

  it('survives a restart: a pending retry is picked up by the next process', async () => {
    const first = start('w-before');
    const number = await dispatched('housing');
    await until('the first failed attempt', () => hits.some((h) => h.body.case?.number === number));
    await first.stop();
    const count = hits.filter((h) => h.body.case?.number === number).length;
    expect(count).toBeLessThan(3);
    const next = start('w-after');
    await until('delivery by the new process', () => hits.some((h) => h.body.case?.number === number && h.status === 200));
    await next.stop();
  });

  it('notifies urges (催办) too, and dead-letters a webhook that answers 410 Gone', async () => {
    const n = start('w2');
    const number = await dispatched('civil');
    clock.set('2021-11-10T09:00:00+08:00'); // complain: due 12 Nov, near due from 12 Nov
    await expect(s.cases.urge(number, {}, agent)).rejects.toMatchObject({ code: 'not_near_due' });
    clock.set('2021-11-12T09:00:00+08:00');
    await s.cases.urge(number, { note: '请今日答复' }, agent);
    await until('the urge', () => hits.some((h) => h.body.case?.number === number && h.body.type === 'case.urged'));
    expect(hits.find((h) => h.body.type === 'case.urged' && h.body.case?.number === number)!.body).toMatchObject({ level: '催办' });

    const gone = await dispatched('market');
    await until('the 410', () => hits.some((h) => h.body.case?.number === gone));
    const deadKey = `${s.config.REDIS_PREFIX}case-events:dead`;
    const dead = await until('a dead letter', async () => {
      const rows = await s.redis.lrange(deadKey, 0, -1);
      return rows.length > 0 ? rows : undefined;
    });
    expect(dead.some((d) => d.includes(gone))).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(hits.filter((h) => h.body.case?.number === gone)).toHaveLength(1);
    await n.stop();
  });

  it('hands a department reply to the citizen outbox exactly once, also when the notifier replays it', async () => {
    const n = start('w3');
    const number = await dispatched('civil');
    const dept: Actor = { kind: 'dept', id: 'civil#t', departmentId: 'civil' };
    await s.cases.accept(number, {}, dept);
    await s.cases.reply(number, { text: '已发放临时救助金。' }, dept);
    const key = `${s.config.REDIS_PREFIX}case-events`;
    await until('the citizen group to catch up', async () => {
      const groups = (await s.redis.xinfo('GROUPS', key)) as unknown[][];
      const g = groups.map((row) => Object.fromEntries(Array.from({ length: row.length / 2 }, (_, i) => [row[2 * i], row[2 * i + 1]])))
        .find((x) => x.name === 'citizen');
      return g && g.pending === 0 && g.lag === 0;
    });
    const inbox = await s.outbox.inbox(`web:hook${seq - 1}`);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ kind: 'case_reply', caseNumber: number, text: expect.stringContaining('已发放临时救助金') });
    await n.stop();
  });
});
