/** Redis key layout of the question log and topics, under `<REDIS_PREFIX>tp:`. */
export function topicKeys(prefix: string) {
  const P = `${prefix}tp:`;
  return {
    root: P,
    /** HASH term -> number of messages containing it; field '' holds the message count. */
    df: `${P}df`,
    /** ZSET topicId -> centroid weight of `term` (the inverted index for candidates). */
    kw: (term: string) => `${P}kw:${term}`,
    /** HASH term -> weight: the topic centroid (sum of its messages' unit vectors). */
    centroid: (id: string) => `${P}c:${id}`,
    /** HASH norm2, created, last, n. */
    topic: (id: string) => `${P}t:${id}`,
    /** ZSET topicId -> last activity (ms). */
    topics: `${P}topics`,
    /** STRING topicId of an LSH band bucket. */
    lsh: (band: string) => `${P}lsh:${band}`,
    /** SET of the LSH buckets a topic's messages filled (cleared with the topic). */
    topicBands: (id: string) => `${P}tl:${id}`,
    /** ZSET topicId -> weight (messages + likes) on a day. */
    day: (day: string) => `${P}day:${day}`,
    /** ZSET day number -> day, days with any activity (for pruning). */
    days: `${P}days`,
    /** HASH per topic and day: n, likes, o:<outcome>, fb:up/down, d:<dept>, doc:<id>, ch:<channel>. */
    stats: (id: string, day: string) => `${P}s:${id}:${day}`,
    /** HyperLogLog of distinct askers per topic and day (PFCOUNT over several days = union). */
    askers: (id: string, day: string) => `${P}a:${id}:${day}`,
    /** ZSET day number -> day, the days a topic was active. */
    topicDays: (id: string) => `${P}td:${id}`,
    /** ZSET time -> sample JSON {id,q,at}: recent masked questions of a topic. */
    samples: (id: string) => `${P}smp:${id}`,
    /** ZSET time -> "channel\tcitizenRef": who asked (for notifications), within retention. */
    citizens: (id: string) => `${P}cit:${id}`,
    /** HASH docId -> title, of documents cited in answers. */
    docTitles: `${P}doctitle`,
    /** HASH e (entry JSON), t (topic), d (day), at, fb. */
    log: (logId: string) => `${P}log:${logId}`,
    /** ZSET logId -> time (ms), for retention. */
    logs: `${P}logs`,
    /** STRING latest logId of a session (WeChat "有用/没用" refers to the last answer). */
    last: (sessionId: string) => `${P}last:${sessionId}`,
    /** SET of interpretation doc ids already announced (or present at the first start). */
    interpretationsSeen: `${P}interp:seen`,
  };
}

export type TopicKeys = ReturnType<typeof topicKeys>;

const DAY_MS = 86_400_000;
/** China Standard Time has no DST: a fixed +08:00 offset gives the local calendar day. */
const CST_OFFSET_MS = 8 * 3_600_000;

/** Local (Asia/Shanghai) calendar day `YYYY-MM-DD` of a timestamp. */
export function dayOf(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` local day. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export function dayFromNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** Start (ms) of a local day. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

/** Parse a time; strings without an offset are local (+08:00) time, as the hotline records them. */
export function parseLocalTime(t: Date | string): number {
  if (t instanceof Date) return t.getTime();
  const s = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t) || !/T\d/.test(t) ? t : `${t}+08:00`;
  const ms = Date.parse(/T\d/.test(s) || s.length > 10 ? s : `${s}T00:00:00+08:00`);
  return ms;
}
