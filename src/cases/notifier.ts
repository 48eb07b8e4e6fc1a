import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { Logger } from '../logger.js';
import type { CitizenOutbox } from '../notify/citizen-outbox.js';
import type { Redis } from '../store/redis.js';
import { citizenReplyText } from './service.js';
import type { CaseStore } from './store.js';
import { CASE_TYPE_LABELS, type CaseEvent } from './types.js';

/**
 * Delivers the case events stream (`case-events`, written atomically with each change) with
 * Redis consumer groups, at least once, surviving restarts:
 * - group `webhook`: `case.dispatched` / `case.urged` POSTed to the department's webhook
 *   (`webhook` in departments.yaml) with an `Idempotency-Key` header = event id;
 * - group `citizen`: `case.replied` handed to the citizen outbox (idempotent per event id).
 * A failed delivery stays pending in the group; its next attempt time is kept in a hash and it is
 * re-claimed then (exponential backoff). Entries left pending by a crashed process are claimed
 * after `claimIdleMs`. After `maxAttempts` an event goes to a dead-letter list and is logged.
 */
export interface NotifierOptions {
  redis: Redis;
  prefix: string;
  store: Pick<CaseStore, 'get' | 'eventsKey'>;
  directory: DepartmentDirectory;
  outbox: CitizenOutbox;
  logger: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  /** Unique per process; defaults to a random id. */
  consumer?: string;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Pending entries idle this long without a schedule belong to a dead consumer: claim them. */
  claimIdleMs?: number;
  blockMs?: number;
  requestTimeoutMs?: number;
  publicBaseUrl?: string;
}

export interface CaseNotifier {
  /** Stop after the current delivery; resolves when the loops have exited. */
  stop(): Promise<void>;
}

export const NOTIFIER_GROUPS = ['webhook', 'citizen'] as const;
type Group = (typeof NOTIFIER_GROUPS)[number];

type Outcome = 'done' | 'retry' | 'dead';

type StreamRows = Array<[string, string[]]>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function decode(fields: string[]): CaseEvent | undefined {
  const i = fields.indexOf('e');
  try {
    return i >= 0 ? (JSON.parse(fields[i + 1]!) as CaseEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** Start the delivery loops (one per group). The Node entry calls this and `stop()` on shutdown. */
export function startCaseNotifier(opts: NotifierOptions): CaseNotifier {
  const now = opts.now ?? Date.now;
  const doFetch = opts.fetch ?? fetch;
  const consumer = opts.consumer ?? `n-${crypto.randomUUID().slice(0, 8)}`;
  const maxAttempts = opts.maxAttempts ?? 12;
  const backoff = (attempt: number) => Math.min((opts.backoffMs ?? 2000) * 2 ** Math.max(0, attempt - 1), opts.maxBackoffMs ?? 600_000);
  const claimIdleMs = opts.claimIdleMs ?? 60_000;
  const blockMs = opts.blockMs ?? 2000;
  const stream = opts.store.eventsKey;
  const schedKey = (g: Group) => `${opts.prefix}case-events:sched:${g}`;
  const deadKey = `${opts.prefix}case-events:dead`;
  // Blocking reads get their own connection so they never stall the app's commands.
  const blocking = opts.redis.duplicate();
  // Connection errors surface as failed commands in the loop; this only keeps them out of stderr.
  blocking.on('error', (err) => opts.logger.debug('case notifier connection error', { err }));
  let stopping = false;

  async function ensureGroup(g: Group) {
    try {
      await opts.redis.xgroup('CREATE', stream, g, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
  }

  async function deliverWebhook(e: CaseEvent): Promise<Outcome> {
    if (e.type !== 'case.dispatched' && e.type !== 'case.urged') return 'done';
    const dept = opts.directory.get(e.department);
    if (!dept?.webhook) return 'done';
    const c = (await opts.store.get(e.number))?.case;
    const body = {
      id: e.id,
      type: e.type,
      at: e.at,
      ...(e.level ? { level: e.level } : {}),
      ...(e.reopened ? { reopened: true } : {}),
      case: c && {
        number: c.number,
        type: c.type,
        typeLabel: CASE_TYPE_LABELS[c.type],
        summary: c.summary,
        department: e.department,
        deadline: c.deadline,
        ...(opts.publicBaseUrl ? { url: `${opts.publicBaseUrl.replace(/\/$/, '')}/api/dept/cases/${c.number}` } : {}),
      },
    };
    try {
      const res = await doFetch(dept.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': e.id, 'user-agent': 'yihaoda-case-notifier' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return 'done';
      // The receiver rejects this request for good (bad URL, auth): retrying will not help.
      if (res.status >= 400 && res.status < 500 && ![408, 409, 425, 429].includes(res.status)) {
        opts.logger.error('case webhook rejected', { event: e.id, department: e.department, status: res.status });
        return 'dead';
      }
      opts.logger.warn('case webhook failed, will retry', { event: e.id, department: e.department, status: res.status });
      return 'retry';
    } catch (err) {
      opts.logger.warn('case webhook unreachable, will retry', { event: e.id, department: e.department, err });
      return 'retry';
    }
  }

  async function deliverCitizen(e: CaseEvent): Promise<Outcome> {
    if (e.type !== 'case.replied' || !e.channel || !e.citizenRef) return 'done';
    const name = opts.directory.get(e.department)?.name ?? e.department;
    await opts.outbox.enqueue(
      { channel: e.channel, citizenRef: e.citizenRef, kind: 'case_reply', text: citizenReplyText(e, name), caseNumber: e.number },
      `case-reply:${e.id}`,
    );
    return 'done';
  }

  async function handle(g: Group, id: string, fields: string[], attempt: number) {
    const e = decode(fields);
    let outcome: Outcome = 'dead';
    if (e) {
      try {
        outcome = g === 'webhook' ? await deliverWebhook(e) : await deliverCitizen(e);
      } catch (err) {
        opts.logger.warn('case event delivery failed, will retry', { group: g, event: id, err });
        outcome = 'retry';
      }
    }
    if (outcome === 'retry' && attempt >= maxAttempts) outcome = 'dead';
    if (outcome === 'retry') {
      await opts.redis.hset(schedKey(g), id, String(now() + backoff(attempt)));
      return;
    }
    if (outcome === 'dead') {
      opts.logger.error('case event dead-lettered', { group: g, event: id, attempts: attempt });
      await opts.redis.rpush(deadKey, JSON.stringify({ group: g, id, fields, attempts: attempt, at: new Date(now()).toISOString() }));
    }
    await opts.redis.multi().xack(stream, g, id).hdel(schedKey(g), id).exec();
  }

  /** Re-attempt pending entries whose backoff has elapsed, or whose consumer has died. */
  async function retryDue(g: Group) {
    // A claim only succeeds on an entry idle this long, so two processes never take the same retry.
    const minIdle = Math.floor(Math.min(opts.backoffMs ?? 2000, claimIdleMs) / 2);
    let start = '-';
    for (let page = 0; page < 20 && !stopping; page++) {
      const pending = (await opts.redis.xpending(stream, g, start, '+', 100)) as Array<[string, string, number, number]>;
      if (!pending.length) return;
      const sched = await opts.redis.hmget(schedKey(g), ...pending.map((p) => p[0]));
      for (const [i, [id, , idle]] of pending.entries()) {
        if (stopping) return;
        const at = sched[i];
        const due = at ? Number(at) <= now() : idle >= claimIdleMs;
        if (!due) continue;
        // XCLAIM counts the delivery: the count is the attempt number.
        const claimed = (await opts.redis.xclaim(stream, g, consumer, minIdle, id)) as StreamRows;
        const row = claimed[0];
        if (!row) {
          // Either another process just claimed it, or it was trimmed from the stream.
          const exists = ((await opts.redis.xrange(stream, id, id)) as StreamRows).length > 0;
          if (!exists) await opts.redis.multi().xack(stream, g, id).hdel(schedKey(g), id).exec();
          continue;
        }
        const info = (await opts.redis.xpending(stream, g, id, id, 1)) as Array<[string, string, number, number]>;
        await handle(g, id, row[1], info[0]?.[3] ?? 1);
      }
      if (pending.length < 100) return;
      start = `(${pending.at(-1)![0]}`;
    }
  }

  let errorBackoff = 200;
  async function loopOnce(g: Group) {
    try {
      await ensureGroup(g);
      await retryDue(g);
      if (stopping) return;
      const res = (await blocking.xreadgroup('GROUP', g, consumer, 'COUNT', 20, 'BLOCK', Math.ceil(blockMs / NOTIFIER_GROUPS.length), 'STREAMS', stream, '>')) as
        | Array<[string, StreamRows]>
        | null;
      for (const [id, fields] of res?.[0]?.[1] ?? []) {
        if (stopping) break;
        await handle(g, id, fields, 1);
      }
      errorBackoff = 200;
    } catch (err) {
      if (stopping) return;
      if (String(err).includes('Unsupported command')) {
        // The in-memory fallback (ioredis-mock) has no consumer groups. Replies still reach
        // citizens (the service enqueues them directly); department webhooks are not sent.
        opts.logger.warn('case notifier disabled: this Redis has no consumer groups; department webhooks will not be sent');
        stopping = true;
        return;
      }
      opts.logger.warn('case notifier: Redis unavailable, retrying', { group: g, err });
      await sleep(errorBackoff);
      errorBackoff = Math.min(errorBackoff * 2, 5000);
    }
  }

  // Both groups share the blocking connection; run them in turns so one BLOCK never starves the other.
  const done = (async () => {
    while (!stopping) {
      for (const g of NOTIFIER_GROUPS) {
        if (stopping) break;
        await loopOnce(g);
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      blocking.disconnect();
      await done;
    },
  };
}
