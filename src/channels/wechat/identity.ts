import { z } from 'zod';
import type { Redis } from '../../store/redis.js';

/**
 * Used when no WECHAT_REF_SECRET is configured: references are then plain domain-separated
 * SHA-256 digests — stable, but anyone holding a WeChat id can recompute them.
 */
export const UNKEYED_REF_SECRET = 'yihaoda-wechat-ref-v1';

const encoder = new TextEncoder();
const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Pseudonymous references for WeChat ids: HMAC-SHA-256 with a service secret, via Web Crypto.
 * Raw WeChat ids never leave the bot except in the contact mapping needed to reply later.
 */
export interface WechatIdentity {
  /** `wechat:<32 hex>` — the citizen reference that cases, logs and the outbox carry. */
  citizenRef(contactId: string): Promise<string>;
  /** Dialogue session of a contact: one for private chat, one per group they ask in. */
  sessionId(contactId: string, roomId?: string): Promise<string>;
}

export function createWechatIdentity(secret: string = UNKEYED_REF_SECRET): WechatIdentity {
  const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = async (input: string) => hex(await crypto.subtle.sign('HMAC', await key, encoder.encode(input)));
  return {
    async citizenRef(contactId) {
      return `wechat:${(await mac(`contact:${contactId}`)).slice(0, 32)}`;
    },
    async sessionId(contactId, roomId) {
      const c = (await mac(`contact:${contactId}`)).slice(0, 32);
      return roomId ? `wechat-${c}-${(await mac(`room:${roomId}`)).slice(0, 12)}` : `wechat-${c}`;
    },
  };
}

/** Where to reach a citizen again: their contact id, and the group they last asked in. */
export const contactRouteSchema = z.object({
  contactId: z.string().min(1),
  roomId: z.string().min(1).optional(),
});
export type ContactRoute = z.infer<typeof contactRouteSchema>;

/** citizenRef → contact mapping in Redis, written when a contact talks to the bot. */
export interface ContactDirectory {
  remember(citizenRef: string, route: ContactRoute): Promise<void>;
  lookup(citizenRef: string): Promise<ContactRoute | undefined>;
}

/** Kept long enough for a case to be answered, extended, reopened and visited back. */
const ROUTE_TTL_SECONDS = 365 * 24 * 3600;

export function createRedisContactDirectory(redis: Redis, prefix: string): ContactDirectory {
  const key = (ref: string) => `${prefix}wechat:route:${ref}`;
  return {
    async remember(ref, route) {
      // A private message must not erase the group we could still reach a non-friend in.
      if (!route.roomId) {
        const prev = await this.lookup(ref);
        if (prev?.roomId && prev.contactId === route.contactId) route = { ...route, roomId: prev.roomId };
      }
      await redis.set(key(ref), JSON.stringify(contactRouteSchema.parse(route)), 'EX', ROUTE_TTL_SECONDS);
    },
    async lookup(ref) {
      const raw = await redis.get(key(ref));
      if (!raw) return undefined;
      const parsed = contactRouteSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    },
  };
}
