import type { Wechaty } from 'wechaty';
import { z } from 'zod';
import { chinaDay } from '../../cases/calendar.js';
import { createRedisCaseStore } from '../../cases/store.js';
import type { Services } from '../../services.js';
import type { AnnounceOutcome, CaseAnnouncement } from './announce.js';
import { isLoggedIn } from './send.js';

export interface CaseEventAnnouncerOptions {
  /** Consumer group on the case events stream (beside the notifier's `webhook` and `citizen`). */
  group?: string;
  /** Stable across restarts so unacknowledged events are picked up again. */
  consumer?: string;
  pollMs?: number;
  maxAttempts?: number;
}

const caseEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  number: z.string(),
  department: z.string(),
  at: z.string(),
  level: z.enum(['催办', '督办']).optional(),
});

type Rows = Array<[string, string[]]>;

/**
 * Follow the cases' event stream (`case-events`, the same outbox the webhook notifier reads)
 * with our own consumer group and announce `case.dispatched` (as 新工单) and `case.urged`
 * (as 催办) in the department's WeChat group. The group starts at the stream's end the first
 * time, so deploying the bot does not replay old cases into department groups.
 */
export function createCaseEventAnnouncer(
  bot: Wechaty,
  services: Services,
  announce: (a: CaseAnnouncement) => Promise<AnnounceOutcome>,
  opts: CaseEventAnnouncerOptions & { onError: (err: unknown, ctx: Record<string, unknown>) => void },
) {
  const { redis, config } = services;
  const stream = createRedisCaseStore(redis, config.REDIS_PREFIX).eventsKey;
  const group = opts.group ?? 'wechat-announce';
  const consumer = opts.consumer ?? 'bot';
  const maxAttempts = opts.maxAttempts ?? 5;
  const attemptsKey = `${config.REDIS_PREFIX}wechat:announce-attempts`;
  let groupReady = false;

  async function ensureGroup() {
    if (groupReady) return;
    try {
      await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    groupReady = true;
  }

  async function handle(id: string, fields: string[]): Promise<AnnounceOutcome | 'skipped' | 'retry'> {
    const i = fields.indexOf('e');
    const parsed = caseEventSchema.safeParse(i >= 0 ? JSON.parse(fields[i + 1] ?? 'null') : null);
    if (!parsed.success || (parsed.data.type !== 'case.dispatched' && parsed.data.type !== 'case.urged')) return 'skipped';
    const e = parsed.data;
    try {
      const c = await services.cases.get(e.number);
      if (!c) return 'skipped';
      return await announce({
        event: e.type === 'case.dispatched' ? 'new' : 'urge',
        ...(e.level ? { level: e.level } : {}),
        caseNumber: e.number,
        departmentId: e.department,
        type: c.type,
        summary: c.summary.slice(0, 500),
        deadline: chinaDay(new Date(c.deadline)),
      });
    } catch (err) {
      const attempts = await redis.hincrby(attemptsKey, id, 1);
      opts.onError(err, { stage: 'announce', caseNumber: e.number, attempts });
      return attempts >= maxAttempts ? 'skipped' : 'retry';
    }
  }

  /** Process pending-then-new events once; returns outcomes (tests, metrics). */
  async function announceBatch() {
    await ensureGroup();
    const outcomes: Array<AnnounceOutcome | 'skipped' | 'retry'> = [];
    for (const from of ['0', '>']) {
      const res = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 20, 'STREAMS', stream, from)) as Array<[string, Rows]> | null;
      const rows = res?.[0]?.[1] ?? [];
      for (const [id, fields] of rows) {
        const outcome = await handle(id, fields);
        outcomes.push(outcome);
        if (outcome !== 'retry') await redis.multi().xack(stream, group, id).hdel(attemptsKey, id).exec();
      }
      if (rows.length) break;
    }
    return outcomes;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  const loop = async (gen: number) => {
    if (gen !== generation) return;
    try {
      if (isLoggedIn(bot)) await announceBatch();
    } catch (err) {
      opts.onError(err, { stage: 'announce_poll' });
    }
    if (gen === generation) timer = setTimeout(() => void loop(gen), opts.pollMs ?? 1000);
  };
  return {
    announceBatch,
    /** Create the consumer group now, so events from this moment on are announced. */
    ensureGroup,
    start() {
      const gen = ++generation;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void loop(gen), 0);
    },
    stop() {
      generation++;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
