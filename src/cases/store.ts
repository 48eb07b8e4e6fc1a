import type { Redis } from '../store/redis.js';
import { OPEN_STATUSES, type AuditEntry, type Case, type CaseEvent, type CaseStatus } from './types.js';

/**
 * Redis persistence of cases. Every change — the case document, its audit entry, the indexes
 * and the events for the outbox — is written by ONE Lua script, so a crash (or SIGKILL of
 * Redis with AOF) leaves either all of it or none. Changes are compare-and-set on a version.
 *
 * Keys (under the prefix): `case:<n>` hash {v, doc}; `case:<n>:audit` list; `case-seq:<day>`
 * counter; `case-idem:<key>` → number; zsets `cases:all`, `cases:status:<s>`, `cases:dept:<d>`,
 * `cases:citizen:<ref>`, `cases:open` (score = deadline), `cases:neardue` (score = near-due
 * start); stream `case-events`.
 */
export interface CaseStore {
  /** Allocate the day's next number and store the case, unless `idemKey` was seen: then its number. */
  create(doc: Omit<Case, 'number'>, day: string, audit: AuditEntry, idemKey: string): Promise<{ number: string; created: boolean }>;
  get(number: string): Promise<{ case: Case; version: number } | undefined>;
  getMany(numbers: string[]): Promise<Case[]>;
  /** Write `next` if the stored version is still `version`; false when someone else changed it. */
  commit(version: number, prev: Case, next: Case, audit: AuditEntry, events: CaseEvent[]): Promise<boolean>;
  appendAudit(number: string, entry: AuditEntry): Promise<void>;
  audit(number: string): Promise<AuditEntry[]>;
  /** Numbers in a zset index by score range, ascending. */
  range(index: CaseIndex, min: number | '-inf', max: number | '+inf', limit?: number): Promise<string[]>;
  /** Newest first. */
  latest(index: CaseIndex, offset: number, limit: number): Promise<{ numbers: string[]; total: number }>;
  eventsKey: string;
}

export type CaseIndex =
  | { kind: 'all' }
  | { kind: 'status'; status: CaseStatus }
  | { kind: 'dept'; department: string }
  | { kind: 'citizen'; citizenRef: string }
  | { kind: 'open' }
  | { kind: 'neardue' };

const IDEM_TTL_SECONDS = 30 * 86400;
const EVENTS_MAXLEN = 100_000;
/** Args starting with \x01 are templates: `{{N}}` becomes the number allocated by the script. */
const T = '\x01';
const NUM = '{{N}}';

const RUN_OPS = `
local function run_ops(i, num)
  local count = tonumber(ARGV[i]); i = i + 1
  for _ = 1, count do
    local n = tonumber(ARGV[i]); i = i + 1
    local args = {}
    for j = 1, n do
      local a = ARGV[i]; i = i + 1
      if num and string.byte(a, 1) == 1 then a = string.gsub(string.sub(a, 2), '{{N}}', num) end
      args[j] = a
    end
    redis.call(unpack(args))
  end
end
`;

const CREATE = `${RUN_OPS}
local existing = redis.call('GET', KEYS[1])
if existing then return {existing, 1} end
local seq = redis.call('INCR', KEYS[2])
local num = ARGV[1] .. '-' .. string.format('%04d', seq)
redis.call('SET', KEYS[1], num, 'EX', tonumber(ARGV[2]))
run_ops(3, num)
return {num, 0}`;

const COMMIT = `${RUN_OPS}
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(v) + 1), 'doc', ARGV[2])
run_ops(3, nil)
return 1`;

type Op = string[];

function encodeOps(ops: Op[]): string[] {
  return [String(ops.length), ...ops.flatMap((op) => [String(op.length), ...op])];
}

const ms = (iso: string | undefined) => String(Date.parse(iso!));

export function createRedisCaseStore(redis: Redis, prefix: string): CaseStore {
  const k = {
    case: (n: string) => `${prefix}case:${n}`,
    audit: (n: string) => `${prefix}case:${n}:audit`,
    seq: (day: string) => `${prefix}case-seq:${day}`,
    idem: (key: string) => `${prefix}case-idem:${key}`,
    events: `${prefix}case-events`,
    index(i: CaseIndex): string {
      switch (i.kind) {
        case 'all': return `${prefix}cases:all`;
        case 'status': return `${prefix}cases:status:${i.status}`;
        case 'dept': return `${prefix}cases:dept:${i.department}`;
        case 'citizen': return `${prefix}cases:citizen:${i.citizenRef}`;
        case 'open': return `${prefix}cases:open`;
        case 'neardue': return `${prefix}cases:neardue`;
      }
    },
  };

  /** Index maintenance for a change from `prev` (undefined on create) to `next`; `num` is the member. */
  function indexOps(prev: Case | undefined, next: Omit<Case, 'number'>, num: string, tpl: string): Op[] {
    const ops: Op[] = [];
    const key = (i: CaseIndex) => tpl + k.index(i);
    const created = ms(next.createdAt);
    if (!prev) {
      ops.push(['ZADD', key({ kind: 'all' }), created, num]);
      ops.push(['ZADD', key({ kind: 'citizen', citizenRef: next.citizenRef }), created, num]);
    }
    if (prev?.status !== next.status) {
      if (prev) ops.push(['ZREM', key({ kind: 'status', status: prev.status }), num]);
      ops.push(['ZADD', key({ kind: 'status', status: next.status }), created, num]);
    }
    if (prev?.department && prev.dispatchedAt && prev.department !== next.department) {
      ops.push(['ZREM', key({ kind: 'dept', department: prev.department }), num]);
    }
    if (next.department && next.dispatchedAt) {
      ops.push(['ZADD', key({ kind: 'dept', department: next.department }), ms(next.dispatchedAt), num]);
    }
    if (OPEN_STATUSES.includes(next.status)) {
      ops.push(['ZADD', key({ kind: 'open' }), ms(next.deadline), num]);
      ops.push(['ZADD', key({ kind: 'neardue' }), ms(next.nearDueAt), num]);
    } else {
      ops.push(['ZREM', key({ kind: 'open' }), num], ['ZREM', key({ kind: 'neardue' }), num]);
    }
    return ops;
  }

  const parse = (number: string, doc: string): Case => ({ ...(JSON.parse(doc) as Case), number });

  return {
    eventsKey: k.events,
    async create(doc, day, audit, idemKey) {
      const num = T + NUM;
      const ops: Op[] = [
        [T + k.case(NUM), 'v', '1', 'doc', JSON.stringify(doc)],
        ['RPUSH', T + k.audit(NUM), JSON.stringify(audit)],
        ...indexOps(undefined, doc, num, T),
      ];
      ops[0]!.unshift('HSET');
      const [number, dup] = (await redis.eval(
        CREATE, 2, k.idem(idemKey), k.seq(day.replace(/-/g, '')), day.replace(/-/g, ''), String(IDEM_TTL_SECONDS), ...encodeOps(ops),
      )) as [string, number];
      return { number, created: dup === 0 };
    },
    async get(number) {
      const [v, doc] = await redis.hmget(k.case(number), 'v', 'doc');
      if (!v || !doc) return undefined;
      return { case: parse(number, doc), version: Number(v) };
    },
    async getMany(numbers) {
      if (!numbers.length) return [];
      const pipe = redis.pipeline();
      for (const n of numbers) pipe.hget(k.case(n), 'doc');
      const res = (await pipe.exec()) ?? [];
      return res.flatMap(([err, doc], i) => (err || typeof doc !== 'string' ? [] : [parse(numbers[i]!, doc)]));
    },
    async commit(version, prev, next, audit, events) {
      const { number, ...doc } = next;
      const ops: Op[] = [
        ['RPUSH', k.audit(number), JSON.stringify(audit)],
        ...indexOps(prev, doc, number, ''),
        ...events.map((e) => ['XADD', k.events, 'MAXLEN', '~', String(EVENTS_MAXLEN), '*', 'e', JSON.stringify(e)]),
      ];
      const r = (await redis.eval(COMMIT, 1, k.case(number), String(version), JSON.stringify(doc), ...encodeOps(ops))) as number;
      if (r === -1) throw new Error(`case ${number} vanished during an update`);
      return r === 1;
    },
    async appendAudit(number, entry) {
      await redis.rpush(k.audit(number), JSON.stringify(entry));
    },
    async audit(number) {
      return (await redis.lrange(k.audit(number), 0, -1)).map((s) => JSON.parse(s) as AuditEntry);
    },
    async range(index, min, max, limit = 1000) {
      return redis.zrangebyscore(k.index(index), min, max, 'LIMIT', 0, limit);
    },
    async latest(index, offset, limit) {
      const key = k.index(index);
      const [numbers, total] = await Promise.all([redis.zrevrange(key, offset, offset + limit - 1), redis.zcard(key)]);
      return { numbers, total };
    },
  };
}
