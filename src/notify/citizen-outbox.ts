import type { Channel } from '../dialogue/types.js';
import type { Redis } from '../store/redis.js';

/** A message for a citizen that arrives later than their turn (a department's reply, a new 解读). */
export interface CitizenMessage {
  /** Stream id, increasing; clients poll "after" the last one they saw. */
  id: string;
  channel: Channel;
  citizenRef: string;
  kind: 'case_reply' | 'case_update' | 'interpretation' | 'notice';
  text: string;
  caseNumber?: string;
  url?: string;
  at: string;
}

export type NewCitizenMessage = Omit<CitizenMessage, 'id' | 'at'>;

/**
 * Delivery of late messages back to the citizen on their own channel.
 * - every message lands in the citizen's inbox stream (web chat polls it);
 * - and in the channel's stream, which a channel worker (the WeChat bot) consumes with a
 *   consumer group, acknowledging after sending (at-least-once, survives restarts).
 * `enqueue` is idempotent per key: a retried enqueue never delivers twice.
 */
export interface CitizenOutbox {
  enqueue(msg: NewCitizenMessage, idempotencyKey: string): Promise<{ id: string; duplicate: boolean }>;
  /** Messages in a citizen's inbox after `afterId` (exclusive), oldest first. */
  inbox(citizenRef: string, afterId?: string, limit?: number): Promise<CitizenMessage[]>;
  /** Read new messages of a channel for a consumer of `group`; call `ack` after delivering. */
  readChannel(channel: Channel, group: string, consumer: string, opts?: { count?: number; blockMs?: number }): Promise<CitizenMessage[]>;
  ack(channel: Channel, group: string, ids: string[]): Promise<void>;
}

const INBOX_MAXLEN = 200;

function decode(id: string, fields: string[]): CitizenMessage {
  const raw = fields[fields.indexOf('m') + 1] ?? '{}';
  return { ...(JSON.parse(raw) as Omit<CitizenMessage, 'id'>), id };
}

export function createRedisCitizenOutbox(redis: Redis, prefix: string, now: () => Date): CitizenOutbox {
  const inboxKey = (ref: string) => `${prefix}inbox:${ref}`;
  const channelKey = (ch: Channel) => `${prefix}deliver:${ch}`;
  const dedupKey = (k: string) => `${prefix}deliver:dedup:${k}`;

  // Dedup check, inbox XADD and channel XADD in one atomic script, so a crash can't leave a
  // message half-enqueued and a retry can't enqueue it twice.
  const ENQUEUE = `
local existing = redis.call('GET', KEYS[1])
if existing then return {existing, 1} end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
redis.call('XADD', KEYS[3], '*', 'm', ARGV[1], 'inbox', id)
redis.call('SET', KEYS[1], id, 'EX', 2592000)
return {id, 0}`;

  return {
    async enqueue(msg, idempotencyKey) {
      const body = JSON.stringify({ ...msg, at: now().toISOString() });
      const [id, dup] = (await redis.eval(
        ENQUEUE, 3, dedupKey(idempotencyKey), inboxKey(msg.citizenRef), channelKey(msg.channel), body, String(INBOX_MAXLEN),
      )) as [string, number];
      return { id, duplicate: dup === 1 };
    },
    async inbox(ref, afterId, limit = 50) {
      const start = afterId ? `(${afterId}` : '-';
      const rows = (await redis.xrange(inboxKey(ref), start, '+', 'COUNT', limit)) as Array<[string, string[]]>;
      return rows.map(([id, f]) => decode(id, f));
    },
    async readChannel(channel, group, consumer, opts = {}) {
      const key = channelKey(channel);
      try {
        await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
      } catch (err) {
        if (!String(err).includes('BUSYGROUP')) throw err;
      }
      // First re-deliver what this consumer read but never acknowledged (crash recovery), then new.
      for (const from of ['0', '>']) {
        const res = (await (from === '>' && opts.blockMs
          ? redis.xreadgroup('GROUP', group, consumer, 'COUNT', opts.count ?? 20, 'BLOCK', opts.blockMs, 'STREAMS', key, from)
          : redis.xreadgroup('GROUP', group, consumer, 'COUNT', opts.count ?? 20, 'STREAMS', key, from))) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        const rows = res?.[0]?.[1] ?? [];
        if (rows.length > 0) return rows.map(([id, f]) => decode(id, f));
      }
      return [];
    },
    async ack(channel, group, ids) {
      if (ids.length) await redis.xack(channelKey(channel), group, ...ids);
    },
  };
}
