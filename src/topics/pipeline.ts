import type { Redis } from '../store/redis.js';
import { idf, lshBands, minhash, stableId, vectorize } from './features.js';
import type { TopicKeys } from './keys.js';
import type { LogEntry } from './types.js';

/**
 * Incremental topic assignment, batched for Redis round trips and shared by every process:
 *
 * 1. read (pipelined): document frequencies of the batch's bigrams, LSH buckets;
 * 2. read: the top topics of each message's strongest terms (inverted index ZSETs holding
 *    centroid weights, so a cosine score needs no centroid fetch), and those topics' norms;
 * 3. decide in memory, message by message, with an overlay so later messages in the batch see
 *    topics created or grown by earlier ones: a near-duplicate (>= NEAR_DUP_BANDS of the LSH
 *    bands shared) joins its topic; else the best cosine >= JOIN_THRESHOLD joins; else a new topic;
 * 4. write (pipelined): one Lua script per message, atomic and idempotent per log id, that
 *    stores the masked log entry and updates centroid, index, statistics and samples together.
 */

/** Cosine similarity to a topic centroid needed to join it. */
export const JOIN_THRESHOLD = 0.16;
/** LSH bands (of 16, 4 rows each) shared with a topic's message to count as a near-duplicate. */
export const NEAR_DUP_BANDS = 3;
/** Query terms per message and topics read per term. */
const QUERY_TERMS = 10;
const TOPICS_PER_TERM = 20;
/** Samples kept per topic. */
export const SAMPLE_CAP = 40;

export interface PreparedMessage {
  entry: LogEntry;
  ms: number;
  day: string;
  dayNum: number;
  sessionId: string;
  /** Undefined when the message is not grouped into topics (greetings, slot answers). */
  features?: { counts: Map<string, number>; flat: string };
  /** LSH band keys of the MinHash signature (computed while preparing, off the Redis path). */
  bands?: string[];
  notifiable: boolean;
  /** Short masked wording kept as a topic sample. */
  sample: string;
  docTitles: Array<[string, string]>;
}

export interface IngestResult {
  logId: string;
  topicId?: string;
  duplicate: boolean;
}

const RECORD_LUA = `
local a = cjson.decode(ARGV[1])
local P = a.p
local logKey = P .. 'log:' .. a.id
if redis.call('EXISTS', logKey) == 1 then
  return {0, redis.call('HGET', logKey, 't') or ''}
end
local topic = a.topic
redis.call('HSET', logKey, 'e', ARGV[2], 't', topic or '', 'd', a.day, 'at', a.ts, 'sh', a.sh)
redis.call('ZADD', P .. 'logs', a.ts, a.id)
if a.session ~= '' then redis.call('SET', P .. 'last:' .. a.session, a.id, 'EX', a.lastTtl) end
for _, dt in ipairs(a.docTitles) do redis.call('HSET', P .. 'doctitle', dt[1], dt[2]) end
if not topic or topic == '' then return {1, ''} end
local tk = P .. 't:' .. topic
local ck = P .. 'c:' .. topic
local norm2 = tonumber(redis.call('HGET', tk, 'norm2') or '0')
-- The inverted index holds the centroid weights; the centroid hash mirrors them in one HSET.
local cent = {}
for _, tw in ipairs(a.terms) do
  local new = tonumber(redis.call('ZINCRBY', P .. 'kw:' .. tw[1], tw[2], topic))
  local old = new - tw[2]
  norm2 = norm2 + new * new - old * old
  cent[#cent + 1] = tw[1]
  cent[#cent + 1] = string.format('%.6f', new)
end
if #cent > 0 then redis.call('HSET', ck, unpack(cent)) end
redis.call('HSET', tk, 'norm2', string.format('%.6f', norm2), 'last', a.ts)
redis.call('HSETNX', tk, 'created', a.ts)
redis.call('HINCRBY', tk, 'n', 1)
redis.call('ZADD', P .. 'topics', a.ts, topic)
local sk = P .. 's:' .. topic .. ':' .. a.day
redis.call('HINCRBY', sk, 'n', 1)
if a.likes > 0 then redis.call('HINCRBY', sk, 'likes', a.likes) end
redis.call('HINCRBY', sk, 'o:' .. a.outcome, 1)
redis.call('HINCRBY', sk, 'ch:' .. a.channel, 1)
if a.dept ~= '' then redis.call('HINCRBY', sk, 'd:' .. a.dept, 1) end
for _, d in ipairs(a.docs) do redis.call('HINCRBY', sk, 'doc:' .. d, 1) end
redis.call('PFADD', P .. 'a:' .. topic .. ':' .. a.day, a.asker)
redis.call('ZINCRBY', P .. 'day:' .. a.day, 1 + a.likes, topic)
redis.call('ZADD', P .. 'days', a.dayNum, a.day)
redis.call('ZADD', P .. 'td:' .. topic, a.dayNum, a.day)
if #a.bands > 0 then
  local kv, names = {}, {}
  for _, b in ipairs(a.bands) do
    kv[#kv + 1] = P .. 'lsh:' .. b
    kv[#kv + 1] = topic
    names[#names + 1] = b
  end
  redis.call('MSET', unpack(kv))
  -- Remember the topic's buckets so deleting the topic can clear them.
  redis.call('SADD', P .. 'tl:' .. topic, unpack(names))
end
local smp = P .. 'smp:' .. topic
redis.call('ZADD', smp, a.ts, ARGV[3])
redis.call('ZREMRANGEBYRANK', smp, 0, -(a.sampleCap + 1))
if a.notifiable then redis.call('ZADD', P .. 'cit:' .. topic, a.ts, a.channel .. '\\t' .. a.asker) end
return {1, topic}
`;

// Document frequencies, added once per batch (one call instead of ~100 per message), counting
// each log entry once: the marker field 'dfc' on the entry makes a retried batch count nothing.
const DF_LUA = `
local a = cjson.decode(ARGV[1])
local counts, n = {}, 0
for _, m in ipairs(a.msgs) do
  if redis.call('HSETNX', a.p .. 'log:' .. m[1], 'dfc', '1') == 1 then
    n = n + 1
    for _, t in ipairs(m[2]) do counts[t] = (counts[t] or 0) + 1 end
  end
end
for t, c in pairs(counts) do redis.call('HINCRBY', KEYS[1], t, c) end
if n > 0 then redis.call('HINCRBY', KEYS[1], '', n) end
return n`;

// Candidate topics of each query term (top topics by centroid weight) and the norms of all
// candidates, in one round trip.
const CANDIDATES_LUA = `
local P, k = ARGV[1], tonumber(ARGV[2])
local terms, extra = cjson.decode(ARGV[3]), cjson.decode(ARGV[4])
local postings, seen, ids, norms = {}, {}, {}, {}
local function add(id)
  if not seen[id] then
    seen[id] = true
    ids[#ids + 1] = id
    norms[#norms + 1] = redis.call('HGET', P .. 't:' .. id, 'norm2') or '0'
  end
end
for i, t in ipairs(terms) do
  local flat = redis.call('ZREVRANGE', P .. 'kw:' .. t, 0, k - 1, 'WITHSCORES')
  postings[i] = flat
  for j = 1, #flat, 2 do add(flat[j]) end
end
for _, id in ipairs(extra) do add(id) end
return {postings, ids, norms}`;

/** (fields JSON, entry JSON, sample JSON): the long texts travel as plain arguments, not re-escaped inside JSON. */
type RecordCommand = (json: string, entry: string, sample: string) => Promise<[number, string]>;
/** (prefix, topics per term, query terms JSON, extra topic ids JSON) -> [postings, ids, norms]. */
type CandidatesCommand = (prefix: string, k: string, terms: string, extra: string) => Promise<[string[][], string[], string[]]>;
/** (df hash key, {p, msgs} JSON) -> messages counted. */
type DfCommand = (dfKey: string, json: string) => Promise<number>;

interface Overlay {
  centroid: Map<string, Map<string, number>>;
  norm2: Map<string, number>;
  /** term -> topics known to carry it (from reads and earlier messages of the batch). */
  postings: Map<string, Set<string>>;
  bands: Map<string, string>;
}

export interface PipelineOptions {
  retentionSeconds: number;
  newTopicId(logId: string): string;
}

export function createTopicPipeline(redis: Redis, prefix: string, keys: TopicKeys, opts: PipelineOptions) {
  const COMMAND = 'yhdTopicRecord';
  // Scripts as ioredis commands: EVALSHA, the body sent once per connection (not on every turn).
  const CANDIDATES = 'yhdTopicCandidates';
  const DF = 'yhdTopicDf';
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 0, lua: RECORD_LUA });
  if (!(CANDIDATES in redis)) redis.defineCommand(CANDIDATES, { numberOfKeys: 0, lua: CANDIDATES_LUA });
  if (!(DF in redis)) redis.defineCommand(DF, { numberOfKeys: 1, lua: DF_LUA });
  const candidates = (redis as unknown as Record<string, CandidatesCommand>)[CANDIDATES]!.bind(redis);

  /**
   * Read, decide and send the writes of a batch; resolves once the writes are on the wire, with
   * `written` for their results. The next batch may be prepared and sent before `written`
   * settles: one connection keeps commands in order, so its reads see these writes.
   */
  async function send(batch: PreparedMessage[]): Promise<{ written: Promise<IngestResult[]> }> {
    if (batch.length === 0) return { written: Promise.resolve([]) };
    const topical = batch.filter((m) => m.features);

    // 1. document frequencies and LSH buckets
    const terms = new Set<string>();
    for (const m of topical) for (const t of m.features!.counts.keys()) terms.add(t);
    const termList = [...terms];
    const signatures = new Map<PreparedMessage, string[]>();
    for (const m of topical) signatures.set(m, m.bands ?? lshBands(minhash(m.features!.flat)));
    const bandList = [...new Set([...signatures.values()].flat())];
    const p1 = redis.pipeline();
    p1.hmget(keys.df, '', ...termList);
    if (bandList.length) p1.mget(...bandList.map(keys.lsh));
    const r1 = (await p1.exec()) ?? [];
    const dfValues = (r1[0]?.[1] as Array<string | null>) ?? [];
    // Frequencies include the batch itself, so the first messages of a fresh store are weighed
    // against each other rather than all alike.
    const n = Number(dfValues[0] ?? 0) + topical.length;
    const df = new Map<string, number>();
    termList.forEach((t, i) => df.set(t, Number(dfValues[i + 1] ?? 0)));
    for (const m of topical) for (const t of m.features!.counts.keys()) df.set(t, df.get(t)! + 1);
    const bandTopic = new Map<string, string>();
    const bandValues = (r1[1]?.[1] as Array<string | null>) ?? [];
    bandList.forEach((b, i) => bandValues[i] && bandTopic.set(b, bandValues[i]!));

    // 2. candidate topics of the strongest terms, and their norms
    const idfOf = (t: string) => idf(df.get(t) ?? 0, n);
    const vectors = new Map<PreparedMessage, Array<[string, number]>>();
    const queryTerms = new Set<string>();
    for (const m of topical) {
      const v = vectorize(m.features!.counts, idfOf);
      vectors.set(m, v);
      for (const [t] of v.slice(0, QUERY_TERMS)) queryTerms.add(t);
    }
    const queryList = [...queryTerms];
    const extra = [...new Set(bandTopic.values())];
    const [postings, topicIds, norms] = await candidates(keys.root, String(TOPICS_PER_TERM), JSON.stringify(queryList), JSON.stringify(extra));
    const overlay: Overlay = { centroid: new Map(), norm2: new Map(), postings: new Map(), bands: new Map() };
    queryList.forEach((t, i) => {
      const flat = postings[i] ?? [];
      const set = new Set<string>();
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const topic = flat[j]!;
        set.add(topic);
        let c = overlay.centroid.get(topic);
        if (!c) overlay.centroid.set(topic, (c = new Map()));
        c.set(t, Number(flat[j + 1]));
      }
      overlay.postings.set(t, set);
    });
    topicIds.forEach((id, i) => overlay.norm2.set(id, Number(norms[i] ?? 0)));

    // 3. decide, in order
    const decisions = new Map<PreparedMessage, { topic: string; bands: string[]; terms: Array<[string, number]> }>();
    for (const m of topical) {
      const vec = vectors.get(m)!;
      // Nothing to group by ("？？？", only a masked number): logged, but no topic.
      if (vec.length === 0) continue;
      const bands = signatures.get(m)!;
      let topic = nearDuplicate(bands, bandTopic, overlay);
      if (!topic) topic = bestTopic(vec, overlay);
      if (!topic) topic = opts.newTopicId(m.entry.logId);
      apply(overlay, topic, vec, bands);
      decisions.set(m, { topic, bands, terms: vec });
    }

    // 4. write, one atomic script per message
    const p4 = redis.pipeline();
    const record = (p4 as unknown as Record<string, RecordCommand>)[COMMAND]!.bind(p4);
    for (const m of batch) {
      const d = decisions.get(m);
      const entry: LogEntry = d ? { ...m.entry, topicId: d.topic } : m.entry;
      void record(
        JSON.stringify({
          p: keys.root,
          id: entry.logId,
          topic: d?.topic ?? '',
          ts: m.ms,
          day: m.day,
          dayNum: m.dayNum,
          session: m.sessionId,
          sh: sessionHash(m.sessionId),
          lastTtl: opts.retentionSeconds,
          docTitles: m.docTitles,
          terms: d?.terms.map(([t, w]) => [t, Math.round(w * 1e6) / 1e6]) ?? [],
          likes: entry.likes,
          outcome: entry.outcome,
          channel: entry.channel,
          dept: entry.department ?? '',
          docs: entry.docs,
          asker: entry.citizenRef,
          bands: d?.bands ?? [],
          sampleCap: SAMPLE_CAP,
          notifiable: m.notifiable,
        }),
        JSON.stringify(entry),
        JSON.stringify({ id: entry.logId.slice(0, 8), q: m.sample, at: new Date(m.ms).toISOString() }),
      );
    }
    const dfMessages = batch.filter((m) => m.features).map((m) => [m.entry.logId, [...m.features!.counts.keys()]]);
    if (dfMessages.length) void (p4 as unknown as Record<string, DfCommand>)[DF]!.call(p4, keys.df, JSON.stringify({ p: keys.root, msgs: dfMessages }));
    const written = p4.exec().then((r4) =>
      batch.map((m, i) => {
        const [err, res] = r4?.[i] ?? [new Error('no reply'), undefined];
        if (err) throw err;
        const [fresh, topic] = res as [number, string];
        return { logId: m.entry.logId, ...(topic ? { topicId: topic } : {}), duplicate: fresh === 0 };
      }),
    );
    // Awaited by the caller later; keep an early failure from being reported as unhandled.
    written.catch(() => undefined);
    return { written };
  }

  /** Process one batch and wait for its writes. */
  async function ingest(batch: PreparedMessage[]): Promise<IngestResult[]> {
    return (await send(batch)).written;
  }

  return { ingest, send };
}

/** What the log keeps to tie an entry to its session without storing the session id. */
export function sessionHash(sessionId: string): string {
  return stableId(`session:${sessionId}`);
}

function nearDuplicate(bands: string[], stored: Map<string, string>, overlay: Overlay): string | undefined {
  const votes = new Map<string, number>();
  for (const b of bands) {
    const t = overlay.bands.get(b) ?? stored.get(b);
    if (t) votes.set(t, (votes.get(t) ?? 0) + 1);
  }
  let best: string | undefined;
  let max = 0;
  for (const [t, v] of votes) if (v > max) [best, max] = [t, v];
  return max >= NEAR_DUP_BANDS ? best : undefined;
}

function bestTopic(vec: Array<[string, number]>, overlay: Overlay): string | undefined {
  const candidates = new Set<string>();
  for (const [t] of vec.slice(0, QUERY_TERMS)) for (const id of overlay.postings.get(t) ?? []) candidates.add(id);
  let best: string | undefined;
  let bestScore = JOIN_THRESHOLD;
  for (const id of candidates) {
    const c = overlay.centroid.get(id);
    const norm = Math.sqrt(overlay.norm2.get(id) ?? 0);
    if (!c || norm === 0) continue;
    let dot = 0;
    for (const [t, w] of vec) dot += w * (c.get(t) ?? 0);
    const score = dot / norm;
    if (score >= bestScore) [best, bestScore] = [id, score];
  }
  return best;
}

function apply(overlay: Overlay, topic: string, vec: Array<[string, number]>, bands: string[]) {
  let c = overlay.centroid.get(topic);
  if (!c) overlay.centroid.set(topic, (c = new Map()));
  let norm2 = overlay.norm2.get(topic) ?? 0;
  for (const [t, w] of vec) {
    const old = c.get(t) ?? 0;
    c.set(t, old + w);
    norm2 += (old + w) ** 2 - old ** 2;
    let set = overlay.postings.get(t);
    if (!set) overlay.postings.set(t, (set = new Set()));
    set.add(topic);
  }
  overlay.norm2.set(topic, norm2);
  for (const b of bands) overlay.bands.set(b, topic);
}
