import type { CitizenOutbox } from '../notify/citizen-outbox.js';
import type { Redis } from '../store/redis.js';
import { idf, stableId, textFeatures, vectorize } from './features.js';
import { dayFromNumber, dayNumber, dayOf, topicKeys, type TopicKeys } from './keys.js';
import { createTopicPipeline, sessionHash, type IngestResult } from './pipeline.js';
import { logIdOf, prepareMessage } from './prepare.js';
import { hotTopics, topicDetail, type TopicDetail, type TopicSummary, type Window } from './report.js';
import { suggestInterpretations, type InterpretationSuggestion } from './suggestions.js';
import type { LogChannel, LogEntry, TurnLogInput } from './types.js';

export interface FeedbackInput {
  sessionId: string;
  /** The turn the feedback is about; default: the session's latest logged turn. */
  turn?: number;
  logId?: string;
  useful: boolean;
}

export interface InterpretationDoc {
  id: string;
  title: string;
  type: string;
  topics: string[];
  issuer?: string;
  url?: string;
}

export interface TopicService {
  /** Log one message (masked first) and group it into a topic. Idempotent per session turn. */
  recordTurn(input: TurnLogInput): Promise<{ logId: string; topicId?: string; duplicate: boolean }>;
  /** The same for many messages in time order, batched (imports, replay). */
  recordMany(inputs: TurnLogInput[]): Promise<IngestResult[]>;
  /** 👍/👎 (web) or 有用/没用 (WeChat) on a turn; the last vote of a turn counts. */
  feedback(input: FeedbackInput): Promise<{ logId: string; changed: boolean }>;
  entry(logId: string): Promise<LogEntry | undefined>;
  hot(w: Window, limit?: number): Promise<TopicSummary[]>;
  topic(id: string, w: Window): Promise<TopicDetail | undefined>;
  suggestions(w: Window, limit?: number): Promise<InterpretationSuggestion[]>;
  /** Topics whose samples or centroid match a phrase (an interpretation's `topics` entry). */
  matchTopics(phrase: string): Promise<string[]>;
  /**
   * Notify citizens about interpretations not seen at the previous start. The first call on an
   * empty store only records what exists. Returns how many messages were enqueued per doc.
   */
  announceInterpretations(docs: InterpretationDoc[], outbox: CitizenOutbox): Promise<Array<{ docId: string; topics: string[]; notified: number }>>;
  /** Delete log entries, per-day statistics, samples and asker references older than the retention. */
  prune(): Promise<{ logs: number; days: number; topics: number }>;
  /** Default window ending today (local time). */
  defaultWindow(days?: number): Window;
  keys: TopicKeys;
}

export interface TopicServiceOptions {
  prefix: string;
  retentionDays: number;
  now: () => Date;
  departmentName?: (id: string) => string | undefined;
}

const BATCH = 512;

export class FeedbackTargetMissing extends Error {
  constructor() {
    super('no logged turn to attach feedback to');
    this.name = 'FeedbackTargetMissing';
  }
}

const FEEDBACK_LUA = `
local k = KEYS[1]
if redis.call('EXISTS', k) == 0 then return -1 end
local prev = redis.call('HGET', k, 'fb')
local vote = ARGV[1]
if prev == vote then return 0 end
local topic = redis.call('HGET', k, 't')
local day = redis.call('HGET', k, 'd')
redis.call('HSET', k, 'fb', vote)
if topic and topic ~= '' then
  local sk = ARGV[2] .. 's:' .. topic .. ':' .. day
  if prev then redis.call('HINCRBY', sk, 'fb:' .. prev, -1) end
  redis.call('HINCRBY', sk, 'fb:' .. vote, 1)
end
return 1`;

const FEEDBACK_COMMAND = 'yhdTopicFeedback';
/** (log key, 'up' | 'down', key prefix) -> -1 no such entry, 0 unchanged, 1 recorded. */
type FeedbackCommand = (logKey: string, vote: string, prefix: string) => Promise<number>;

export function createTopicService(redis: Redis, opts: TopicServiceOptions): TopicService {
  const keys = topicKeys(opts.prefix);
  const retentionSeconds = opts.retentionDays * 86_400;
  const pipeline = createTopicPipeline(redis, opts.prefix, keys, {
    retentionSeconds,
    newTopicId: (logId) => `t${stableId(`topic:${logId}`).slice(0, 12)}`,
  });
  const deps = { redis, keys };
  // EVALSHA: the script body goes to Redis once per connection, not with every vote.
  if (!(FEEDBACK_COMMAND in redis)) redis.defineCommand(FEEDBACK_COMMAND, { numberOfKeys: 1, lua: FEEDBACK_LUA });
  const vote = (redis as unknown as Record<string, FeedbackCommand>)[FEEDBACK_COMMAND]!.bind(redis);

  const service: TopicService = {
    keys,
    async recordTurn(input) {
      const [r] = await pipeline.ingest([prepareMessage(input, opts.now())]);
      return r!;
    },
    async recordMany(inputs) {
      const now = opts.now();
      const out: IngestResult[] = [];
      let previous: Promise<IngestResult[]> | undefined;
      for (let i = 0; i < inputs.length; i += BATCH) {
        // Masking and features of this batch run while Redis applies the previous batch's writes.
        const prepared = inputs.slice(i, i + BATCH).map((m) => prepareMessage(m, now));
        const { written } = await pipeline.send(prepared);
        if (previous) out.push(...(await previous));
        previous = written;
      }
      if (previous) out.push(...(await previous));
      return out;
    },
    async feedback(input) {
      const logId =
        input.logId ?? (input.turn !== undefined ? logIdOf(input.sessionId, input.turn) : await redis.get(keys.last(input.sessionId)));
      if (!logId) throw new FeedbackTargetMissing();
      // A logId given directly must belong to this session: never let one session vote on another's turn.
      if (input.logId) {
        if (!(await belongsTo(input.logId, input.sessionId))) throw new FeedbackTargetMissing();
      }
      const r = await vote(keys.log(logId), input.useful ? 'up' : 'down', keys.root);
      if (r === -1) throw new FeedbackTargetMissing();
      return { logId, changed: r === 1 };
    },
    async entry(logId) {
      const raw = await redis.hmget(keys.log(logId), 'e', 'fb');
      if (!raw[0]) return undefined;
      const e = JSON.parse(raw[0]) as LogEntry;
      return raw[1] ? { ...e, feedback: raw[1] as 'up' | 'down' } : e;
    },
    hot: (w, limit = 10) => hotTopics(deps, w, limit),
    topic: (id, w) => topicDetail(deps, id, w),
    async suggestions(w, limit = 20) {
      const topics = await hotTopics(deps, w, 50);
      const windowDays = dayNumber(w.to) - dayNumber(w.from) + 1;
      return suggestInterpretations(topics, { windowDays, departmentName: opts.departmentName }).slice(0, limit);
    },
    matchTopics: (phrase) => matchTopics(deps, phrase),
    async announceInterpretations(docs, outbox) {
      const interps = docs.filter((d) => d.type === 'interpretation' && d.topics.length > 0);
      const initialised = await redis.exists(keys.interpretationsSeen);
      const seen = new Set(await redis.smembers(keys.interpretationsSeen));
      const report: Array<{ docId: string; topics: string[]; notified: number }> = [];
      if (!initialised) {
        // First start: what exists now is the baseline, announced to nobody.
        await redis.sadd(keys.interpretationsSeen, '', ...interps.map((d) => d.id));
        return report;
      }
      const cutoff = opts.now().getTime() - retentionSeconds * 1000;
      for (const doc of interps.filter((d) => !seen.has(d.id))) {
        const topicIds = new Set<string>();
        for (const phrase of doc.topics) for (const id of await matchTopics(deps, phrase)) topicIds.add(id);
        let notified = 0;
        for (const topicId of topicIds) {
          const label = await topicLabel(topicId);
          const members = await redis.zrangebyscore(keys.citizens(topicId), cutoff, '+inf');
          for (const m of members) {
            const [channel, citizenRef] = m.split('\t') as [LogChannel, string];
            if (channel !== 'web' && channel !== 'wechat') continue;
            const text = `您好！您之前咨询过“${label}”相关的问题。${doc.issuer ?? '有关部门'}发布了新的政策解读《${doc.title}》，${doc.url ? '请点击链接查看。' : '您可以在一号答中询问该解读的内容。'}`;
            const r = await outbox.enqueue(
              { channel, citizenRef, kind: 'interpretation', text, ...(doc.url ? { url: doc.url } : {}) },
              `interp:${doc.id}:${citizenRef}`,
            );
            if (!r.duplicate) notified++;
          }
        }
        // Marked only after every enqueue succeeded; a crash before re-runs it, and the outbox's
        // idempotency key keeps it to once per citizen per interpretation.
        await redis.sadd(keys.interpretationsSeen, doc.id);
        report.push({ docId: doc.id, topics: [...topicIds], notified });
      }
      return report;
    },
    prune: () => prune(deps, opts.now().getTime() - retentionSeconds * 1000),
    defaultWindow(days = 30) {
      const today = dayOf(opts.now().getTime());
      return { from: dayFromNumber(dayNumber(today) - days + 1), to: today };
    },
  };

  async function belongsTo(logId: string, sessionId: string): Promise<boolean> {
    return (await redis.hget(keys.log(logId), 'sh')) === sessionHash(sessionId);
  }

  async function topicLabel(id: string): Promise<string> {
    const samples = await redis.zrange(keys.samples(id), -1, -1);
    const q = samples[0] ? (JSON.parse(samples[0]) as { q: string }).q : '';
    return q.length > 30 ? `${q.slice(0, 30)}…` : q;
  }

  return service;
}

/** Phrase -> topics: by cosine of the phrase's bigrams against centroids, or literal presence in samples. */
async function matchTopics(deps: { redis: Redis; keys: TopicKeys }, phrase: string): Promise<string[]> {
  const { redis, keys } = deps;
  const direct = /^topic:(t[0-9a-f]{12})$/.exec(phrase.trim());
  if (direct) return (await redis.exists(keys.topic(direct[1]!))) ? [direct[1]!] : [];
  const f = textFeatures(phrase);
  const terms = [...f.counts.keys()];
  if (!terms.length) return [];
  const dfv = await redis.hmget(keys.df, '', ...terms);
  const n = Number(dfv[0] ?? 0);
  const vec = vectorize(f.counts, (t) => idf(Number(dfv[terms.indexOf(t) + 1] ?? 0), n));
  const p = redis.pipeline();
  for (const [t] of vec) p.zrevrange(keys.kw(t), 0, 19);
  const res = (await p.exec()) ?? [];
  const candidates = [...new Set(res.flatMap(([, r]) => (r as string[]) ?? []))].slice(0, 100);
  const out: string[] = [];
  const needle = phrase.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  const q = redis.pipeline();
  for (const id of candidates) q.hgetall(keys.centroid(id)).zrange(keys.samples(id), 0, -1);
  const data = candidates.length ? ((await q.exec()) ?? []) : [];
  candidates.forEach((id, i) => {
    const centroid = (data[i * 2]?.[1] as Record<string, string>) ?? {};
    const samples = (data[i * 2 + 1]?.[1] as string[]) ?? [];
    const top = new Set(
      Object.entries(centroid)
        .sort((a, b) => Number(b[1]) - Number(a[1]))
        .slice(0, 40)
        .map(([t]) => t),
    );
    // Share of the phrase's weight found among the topic's strongest terms.
    const covered = vec.reduce((sum, [t, w]) => sum + (top.has(t) ? w * w : 0), 0);
    const literal = samples.filter((x) => (JSON.parse(x) as { q: string }).q.normalize('NFKC').toLowerCase().includes(needle)).length;
    if (covered >= 0.6 || (samples.length > 0 && literal / samples.length >= 0.3)) out.push(id);
  });
  return out;
}

const DEL_IF_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

async function prune(deps: { redis: Redis; keys: TopicKeys }, cutoffMs: number): Promise<{ logs: number; days: number; topics: number }> {
  const { redis, keys } = deps;
  let logs = 0;
  for (;;) {
    const ids = await redis.zrangebyscore(keys.logs, '-inf', `(${cutoffMs}`, 'LIMIT', 0, 500);
    if (!ids.length) break;
    await redis.pipeline([...ids.map((id) => ['del', keys.log(id)]), ['zrem', keys.logs, ...ids]]).exec();
    logs += ids.length;
  }
  // Whole days before the cutoff's day: statistics and asker sets.
  const cutoffDay = dayNumber(dayOf(cutoffMs));
  const oldDays = await redis.zrangebyscore(keys.days, '-inf', `(${cutoffDay}`);
  for (const day of oldDays) {
    const topics = await redis.zrange(keys.day(day), 0, -1);
    const p = redis.pipeline();
    for (const t of topics) p.del(keys.stats(t, day), keys.askers(t, day)).zrem(keys.topicDays(t), day);
    p.del(keys.day(day)).zrem(keys.days, day);
    await p.exec();
  }
  // Topics silent since before the cutoff disappear; active ones lose old samples and askers.
  const stale = await redis.zrangebyscore(keys.topics, '-inf', `(${cutoffMs}`);
  for (const id of stale) {
    const [terms, bands] = await Promise.all([redis.hkeys(keys.centroid(id)), redis.smembers(keys.topicBands(id))]);
    const p = redis.pipeline();
    for (const t of terms) p.zrem(keys.kw(t), id);
    // A bucket may since point to another topic; only clear those still pointing here.
    for (const b of bands) p.eval(DEL_IF_LUA, 1, keys.lsh(b), id);
    p.del(keys.centroid(id), keys.topic(id), keys.samples(id), keys.citizens(id), keys.topicDays(id), keys.topicBands(id)).zrem(keys.topics, id);
    await p.exec();
  }
  const active = await redis.zrange(keys.topics, 0, -1);
  for (let i = 0; i < active.length; i += 200) {
    const p = redis.pipeline();
    for (const id of active.slice(i, i + 200)) {
      p.zremrangebyscore(keys.samples(id), '-inf', `(${cutoffMs}`).zremrangebyscore(keys.citizens(id), '-inf', `(${cutoffMs}`);
    }
    await p.exec();
  }
  return { logs, days: oldDays.length, topics: stale.length };
}
