/**
 * Replay real citizen messages through the question-log and topic pipeline, in time order.
 *
 *   npm run replay -- <file.jsonl> [--speed max|<factor>] [--json] [--top 10] [--keep]
 *
 * Each line: {"id","text","title"?,"time"?,"likes"?,"user"?}. Likes count as people who share
 * the concern. Uses REDIS_URL if set, else spawns a redis-server (AOF) in a temp folder; the
 * replay's keys live under their own prefix and are deleted at the end unless --keep.
 * `--speed max` feeds as fast as possible; a number feeds at that many times real time.
 * Prints a table of the top topics; with --json the last line is
 * {"messages","seconds","topics":[{"label","keywords","count","askers","samples":[...]}]}.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startRedis, type RedisProcess } from '../src/node/redis-process.js';
import { createRedis } from '../src/store/redis.js';
import { dayOf, parseLocalTime } from '../src/topics/keys.js';
import { createTopicService } from '../src/topics/service.js';
import type { TurnLogInput } from '../src/topics/types.js';

const lineSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  text: z.string(),
  title: z.string().optional(),
  time: z.string().optional(),
  likes: z.number().int().nonnegative().optional(),
  user: z.string().optional(),
});

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('usage: npm run replay -- <file.jsonl> [--speed max|<factor>] [--json] [--top N] [--keep]');
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    speed: { type: 'string', default: 'max' },
    json: { type: 'boolean', default: false },
    top: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
});
const file = positionals[0] ?? usage('missing <file.jsonl>');
const speed = values.speed === 'max' ? Infinity : Number(values.speed);
if (!(speed > 0)) usage('--speed must be "max" or a positive number');
const top = Number(values.top);
if (!Number.isInteger(top) || top < 1 || top > 100) usage('--top must be 1..100');

function load(path: string): Array<TurnLogInput & { ms: number }> {
  const out: Array<TurnLogInput & { ms: number }> = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let parsed;
      try {
        parsed = lineSchema.parse(JSON.parse(line));
      } catch (err) {
        throw new Error(`${path}:${i + 1}: ${err instanceof z.ZodError ? err.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') : String(err)}`);
      }
      const ms = parsed.time ? parseLocalTime(parsed.time) : Date.now();
      if (!Number.isFinite(ms)) throw new Error(`${path}:${i + 1}: time: not a date`);
      out.push({
        ms,
        sessionId: `replay-${parsed.id}`,
        turn: 1,
        channel: 'import',
        citizenRef: `import:${parsed.user ?? parsed.id}`,
        message: parsed.text,
        ...(parsed.title ? { title: parsed.title } : {}),
        at: new Date(ms),
        likes: parsed.likes ?? 0,
        topical: true,
      });
    });
  // Stable sort: same-time messages keep file order.
  return out.map((m, i) => [m, i] as const).sort((a, b) => a[0].ms - b[0].ms || a[1] - b[1]).map(([m]) => m);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const messages = load(file);
  if (messages.length === 0) usage('no messages in file');
  let redisProc: RedisProcess | undefined;
  let dir: string | undefined;
  let url = process.env.REDIS_URL;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'yhd-replay-'));
    redisProc = await startRedis({ dataDir: dir });
    url = redisProc.url;
  }
  const redis = createRedis(url);
  const prefix = `replay:${process.pid}:${Date.now().toString(36)}:`;
  const last = messages[messages.length - 1]!.ms;
  const topics = createTopicService(redis, { prefix, retentionDays: 3650, now: () => new Date(last) });
  try {
    const started = performance.now();
    if (speed === Infinity) {
      await topics.recordMany(messages);
    } else {
      const t0 = messages[0]!.ms;
      for (let i = 0; i < messages.length; ) {
        const due = (messages[i]!.ms - t0) / speed - (performance.now() - started);
        if (due > 0) await sleep(Math.min(due, 1000));
        let j = i;
        while (j < messages.length && (messages[j]!.ms - t0) / speed <= performance.now() - started) j++;
        if (j > i) await topics.recordMany(messages.slice(i, j));
        i = Math.max(j, i);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const window = { from: dayOf(messages[0]!.ms), to: dayOf(last) };
    const hot = await topics.hot(window, top);
    const peaks = await Promise.all(hot.map(async (t) => peakWeek((await topics.topic(t.id, window))?.daily ?? [])));
    const rate = messages.length / seconds;
    console.log(`replayed ${messages.length} messages in ${seconds.toFixed(2)} s: ${Math.round(rate)} messages/s (${window.from} .. ${window.to})`);
    console.log('');
    console.log('rank | askers | msgs | peak week (vs week before) | label | keywords');
    hot.forEach((t, i) => {
      const p = peaks[i]!;
      console.log(
        `${String(i + 1).padStart(4)} | ${String(t.askers).padStart(6)} | ${String(t.messages).padStart(4)} | ${p.start} ${p.weight} (${p.before}) | ${t.label} | ${t.keywords.join('、')}`,
      );
      for (const s of t.samples.slice(0, 3)) console.log(`     - ${s.q}`);
    });
    if (values.json) {
      console.log(
        JSON.stringify({
          messages: messages.length,
          seconds: Math.round(seconds * 1000) / 1000,
          topics: hot.map((t, i) => ({
            label: t.label,
            keywords: t.keywords,
            count: t.messages,
            askers: t.askers,
            peakWeek: peaks[i],
            samples: t.samples.map((s) => s.q),
          })),
        }),
      );
    }
  } finally {
    if (!values.keep) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (found.length) await redis.unlink(...found);
      } while (cursor !== '0');
    }
    redis.disconnect();
    await redisProc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The 7-day stretch with the most messages + likes, and the 7 days before it. */
function peakWeek(daily: Array<{ day: string; weight: number }>) {
  const byDay = new Map(daily.map((d) => [Date.parse(d.day) / 86_400_000, d.weight]));
  let best = { start: daily[0]?.day ?? '', weight: 0, before: 0 };
  for (const startNum of byDay.keys()) {
    let w = 0;
    let b = 0;
    for (let k = 0; k < 7; k++) w += byDay.get(startNum + k) ?? 0;
    for (let k = 1; k <= 7; k++) b += byDay.get(startNum - k) ?? 0;
    if (w > best.weight) best = { start: new Date(startNum * 86_400_000).toISOString().slice(0, 10), weight: w, before: b };
  }
  return best;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
