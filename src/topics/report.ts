import type { Redis } from '../store/redis.js';
import { idf, runsOf, textFeatures, vectorize } from './features.js';
import { dayFromNumber, dayNumber, type TopicKeys } from './keys.js';
import { OUTCOMES, type Outcome } from './types.js';

/** A time window of local days, inclusive. */
export interface Window {
  from: string;
  to: string;
}

export interface TopicSummary {
  id: string;
  /** The most representative wording: the sample closest to the topic centroid. */
  label: string;
  keywords: string[];
  messages: number;
  /** Distinct askers plus people who endorsed (likes). */
  askers: number;
  likes: number;
  /** Same measure (messages + likes) in the previous window of equal length. */
  previous: number;
  /** Relative change of messages + likes against the previous window; null when it had none. */
  growth: number | null;
  /** A sudden rise: at least 3 and at least double the previous window. */
  rising: boolean;
  outcomes: Record<Outcome, number>;
  /** Shares among messages with a known outcome (live channels); null if none. */
  answeredShare: number | null;
  unansweredShare: number | null;
  feedback: { up: number; down: number };
  downShare: number | null;
  departments: Array<{ id: string; count: number }>;
  documents: Array<{ id: string; title?: string; count: number }>;
  /** No document matched any question of the topic. */
  knowledgeGap: boolean;
  channels: Record<string, number>;
  samples: Array<{ q: string; at: string }>;
  firstSeen?: string;
  lastSeen?: string;
}

export interface TopicDetail extends TopicSummary {
  daily: Array<{ day: string; messages: number; weight: number }>;
}

interface Sample {
  id: string;
  q: string;
  at: string;
}

export function daysOf(w: Window): string[] {
  const out: string[] = [];
  for (let d = dayNumber(w.from); d <= dayNumber(w.to); d++) out.push(dayFromNumber(d));
  return out;
}

/** The window of the same length just before `w`. */
export function previousWindow(w: Window): Window {
  const len = dayNumber(w.to) - dayNumber(w.from) + 1;
  return { from: dayFromNumber(dayNumber(w.from) - len), to: dayFromNumber(dayNumber(w.from) - 1) };
}

async function dayWeights(redis: Redis, keys: TopicKeys, days: string[]): Promise<Map<string, Map<string, number>>> {
  const p = redis.pipeline();
  for (const d of days) p.zrange(keys.day(d), 0, -1, 'WITHSCORES');
  const res = (await p.exec()) ?? [];
  const byTopic = new Map<string, Map<string, number>>();
  days.forEach((d, i) => {
    const flat = (res[i]?.[1] as string[]) ?? [];
    for (let j = 0; j + 1 < flat.length; j += 2) {
      let m = byTopic.get(flat[j]!);
      if (!m) byTopic.set(flat[j]!, (m = new Map()));
      m.set(d, Number(flat[j + 1]));
    }
  });
  return byTopic;
}

const sum = (m: Map<string, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);

export interface ReportDeps {
  redis: Redis;
  keys: TopicKeys;
}

/**
 * Summaries of the topics with the most messages + likes in a window, ranked by askers
 * (distinct askers + likes).
 */
export async function hotTopics(deps: ReportDeps, w: Window, limit: number): Promise<TopicSummary[]> {
  const { redis, keys } = deps;
  const current = await dayWeights(redis, keys, daysOf(w));
  const ranked = [...current.entries()].map(([id, m]) => [id, sum(m)] as const).sort((a, b) => b[1] - a[1]);
  const pool = ranked.slice(0, Math.max(limit * 3, 30));
  if (pool.length === 0) return [];
  const previous = await dayWeights(redis, keys, daysOf(previousWindow(w)));
  const summaries = await summarize(deps, pool.map(([id]) => ({ id, days: current.get(id)!, previous: sum(previous.get(id)) })));
  return summaries.sort((a, b) => b.askers - a.askers || b.messages - a.messages).slice(0, limit);
}

/** One topic in a window, with its daily series. Undefined if the topic does not exist. */
export async function topicDetail(deps: ReportDeps, id: string, w: Window): Promise<TopicDetail | undefined> {
  const { redis, keys } = deps;
  if (!(await redis.exists(keys.topic(id)))) return undefined;
  const [cur, prev] = await Promise.all([
    activeDays(deps, id, w),
    activeDays(deps, id, previousWindow(w)),
  ]);
  const [summary] = await summarize(deps, [{ id, days: cur, previous: sum(prev) }], 20);
  const stats = await dayStats(deps, [{ id, days: [...cur.keys()] }]);
  const daily = [...cur.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([day, weight]) => ({ day, weight, messages: Number(stats.get(`${id}|${day}`)?.n ?? 0) }));
  return { ...summary!, daily };
}

async function activeDays(deps: ReportDeps, id: string, w: Window): Promise<Map<string, number>> {
  const days = await deps.redis.zrangebyscore(deps.keys.topicDays(id), dayNumber(w.from), dayNumber(w.to));
  const p = deps.redis.pipeline();
  for (const d of days) p.zscore(deps.keys.day(d), id);
  const res = (await p.exec()) ?? [];
  return new Map(days.map((d, i) => [d, Number(res[i]?.[1] ?? 0)]));
}

async function dayStats(deps: ReportDeps, items: Array<{ id: string; days: string[] }>) {
  const p = deps.redis.pipeline();
  const order: string[] = [];
  for (const { id, days } of items) {
    for (const d of days) {
      p.hgetall(deps.keys.stats(id, d));
      order.push(`${id}|${d}`);
    }
  }
  const res = order.length ? ((await p.exec()) ?? []) : [];
  return new Map(order.map((k, i) => [k, (res[i]?.[1] as Record<string, string>) ?? {}]));
}

async function summarize(
  deps: ReportDeps,
  items: Array<{ id: string; days: Map<string, number>; previous: number }>,
  sampleCount = 5,
): Promise<TopicSummary[]> {
  const { redis, keys } = deps;
  const stats = await dayStats(deps, items.map((it) => ({ id: it.id, days: [...it.days.keys()] })));
  const p = redis.pipeline();
  for (const it of items) {
    const days = [...it.days.keys()];
    if (days.length) p.pfcount(...days.map((d) => keys.askers(it.id, d)));
    else p.echo('0');
    p.zrange(keys.samples(it.id), 0, -1);
    p.hgetall(keys.centroid(it.id));
    p.hmget(keys.topic(it.id), 'norm2', 'created', 'last');
  }
  const res = (await p.exec()) ?? [];
  const samplesOf = items.map((_, i) => ((res[i * 4 + 1]?.[1] as string[]) ?? []).map((s) => JSON.parse(s) as Sample));
  // Global document frequencies of the samples' bigrams, for keyword scoring.
  const bigrams = new Set<string>();
  for (const ss of samplesOf) for (const s of ss) for (const u of runsOf(s.q)) for (let i = 0; i + 1 < u.length; i++) bigrams.add(u[i]! + u[i + 1]!);
  const bigramList = [...bigrams];
  const dfv = await redis.hmget(keys.df, '', ...bigramList);
  const n = Number(dfv[0] ?? 0);
  const df = new Map(bigramList.map((b, i) => [b, Number(dfv[i + 1] ?? 0)]));
  const idfOf = (t: string) => idf(df.get(t) ?? 0, n);
  const titles = await docTitles(deps, items, stats);

  return items.map((it, i) => {
    const distinct = Number(res[i * 4]?.[1] ?? 0);
    const centroid = Object.entries((res[i * 4 + 2]?.[1] as Record<string, string>) ?? {}).map(([t, v]) => [t, Number(v)] as const);
    const [norm2, created, last] = ((res[i * 4 + 3]?.[1] as Array<string | null>) ?? []).map((v) => (v == null ? undefined : Number(v)));
    const totals: Record<string, number> = {};
    for (const d of it.days.keys()) {
      for (const [k, v] of Object.entries(stats.get(`${it.id}|${d}`) ?? {})) totals[k] = (totals[k] ?? 0) + Number(v);
    }
    const samples = samplesOf[i]!;
    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, totals[`o:${o}`] ?? 0])) as Record<Outcome, number>;
    const known = outcomes.answered + outcomes.clarified + outcomes.escalated + outcomes.failed;
    const up = totals['fb:up'] ?? 0;
    const down = totals['fb:down'] ?? 0;
    const messages = totals.n ?? 0;
    const likes = totals.likes ?? 0;
    const weight = sum(it.days);
    const pick = (prefix: string) =>
      Object.entries(totals)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, count]) => ({ id: k.slice(prefix.length), count }))
        .sort((a, b) => b.count - a.count);
    const documents = pick('doc:').slice(0, 5).map((d) => ({ ...d, ...(titles.get(d.id) ? { title: titles.get(d.id)! } : {}) }));
    return {
      id: it.id,
      label: representative(samples, centroid, norm2 ?? 0, idfOf),
      keywords: keywordsOf(samples, centroid),
      messages,
      askers: distinct + likes,
      likes,
      previous: it.previous,
      growth: it.previous > 0 ? Math.round(((weight - it.previous) / it.previous) * 100) / 100 : null,
      rising: weight >= 3 && weight >= 2 * it.previous,
      outcomes,
      answeredShare: known ? round2(outcomes.answered / known) : null,
      unansweredShare: known ? round2((outcomes.failed + outcomes.escalated) / known) : null,
      feedback: { up, down },
      downShare: up + down ? round2(down / (up + down)) : null,
      departments: pick('d:').slice(0, 5),
      documents,
      knowledgeGap: documents.length === 0,
      channels: Object.fromEntries(pick('ch:').map((c) => [c.id, c.count])),
      samples: samples.slice(-sampleCount).reverse().map((s) => ({ q: s.q, at: s.at })),
      ...(created ? { firstSeen: new Date(created).toISOString() } : {}),
      ...(last ? { lastSeen: new Date(last).toISOString() } : {}),
    };
  });
}

const round2 = (x: number) => Math.round(x * 100) / 100;

async function docTitles(deps: ReportDeps, items: Array<{ id: string }>, stats: Map<string, Record<string, string>>) {
  const ids = new Set<string>();
  for (const s of stats.values()) for (const k of Object.keys(s)) if (k.startsWith('doc:')) ids.add(k.slice(4));
  const list = [...ids];
  const out = new Map<string, string>();
  if (!list.length || !items.length) return out;
  const titles = await deps.redis.hmget(deps.keys.docTitles, ...list);
  list.forEach((id, i) => titles[i] && out.set(id, titles[i]!));
  return out;
}

function representative(samples: Sample[], centroid: ReadonlyArray<readonly [string, number]>, norm2: number, idfOf: (t: string) => number): string {
  if (samples.length === 0) return '';
  const c = new Map(centroid);
  const norm = Math.sqrt(norm2) || 1;
  let best = samples[samples.length - 1]!;
  let bestScore = -1;
  for (const s of samples) {
    const v = vectorize(textFeatures(s.q).counts, idfOf);
    const score = v.reduce((acc, [t, w]) => acc + w * (c.get(t) ?? 0), 0) / norm;
    if (score > bestScore) [best, bestScore] = [s, score];
  }
  return best.q;
}

// Administrative-level characters left over from "A市X" / "某区X", and function characters:
// they glue a name to its neighbour but are not part of it.
const EDGE_LEAD = /^[市区县省镇乡街的了和与及在对于把被是有]$/;
const EDGE_TAIL = /^[的了和与及在对于把被是有附旁等]$/;

function trimEdges(units: string[]): string {
  let a = 0;
  let b = units.length;
  while (b - a > 2 && EDGE_LEAD.test(units[a]!)) a++;
  while (b - a > 2 && EDGE_TAIL.test(units[b - 1]!)) b--;
  // Two characters one of which is such glue ("区附", "于a6") are a seam, not a keyword.
  if (b - a === 2 && (EDGE_LEAD.test(units[a]!) || EDGE_TAIL.test(units[b - 1]!))) return '';
  return units.slice(a, b).join('');
}

/** Two phrases say the same thing when one contains the other or they share three characters in a row. */
function overlaps(a: string, b: string): boolean {
  if (a.includes(b) || b.includes(a)) return true;
  for (let i = 0; i + 3 <= b.length; i++) if (a.includes(b.slice(i, i + 3))) return true;
  return false;
}

/**
 * Keywords: the topic's strongest centroid bigrams, chained into the longer phrases they form in
 * the samples ("伊景"+"景园"+"园滨"... -> 伊景园滨河苑), ranked by how many samples carry them.
 */
export function keywordsOf(samples: Array<{ q: string }>, centroid: ReadonlyArray<readonly [string, number]>, max = 5): string[] {
  const top = new Map([...centroid].sort((a, b) => b[1] - a[1]).slice(0, 12));
  if (top.size === 0) return [];
  const phrases = new Map<string, { count: number; weight: number }>();
  for (const s of samples) {
    const seen = new Set<string>();
    for (const units of runsOf(s.q)) {
      let i = 0;
      while (i + 1 < units.length) {
        if (!top.has(units[i]! + units[i + 1]!)) {
          i++;
          continue;
        }
        let j = i;
        let weight = 0;
        for (;;) {
          const w = j + 1 < units.length ? top.get(units[j]! + units[j + 1]!) : undefined;
          if (w === undefined) break;
          weight += w;
          j++;
        }
        const phrase = trimEdges(units.slice(i, j + 1));
        if (phrase && !seen.has(phrase)) {
          seen.add(phrase);
          const p = phrases.get(phrase) ?? { count: 0, weight };
          p.count++;
          phrases.set(phrase, p);
        }
        i = j;
      }
    }
  }
  const ranked = [...phrases.entries()].sort((a, b) => b[1].count * b[1].weight - a[1].count * a[1].weight);
  const picked: string[] = [];
  for (const [p] of ranked) {
    if (picked.length >= max) break;
    if (picked.some((q) => overlaps(q, p))) continue;
    picked.push(p);
  }
  return picked.length ? picked : [...top.keys()].slice(0, max);
}
