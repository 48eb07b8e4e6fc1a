import type { Redis } from '../store/redis.js';
import type { DialogueState } from './types.js';

export interface SessionStore {
  get(sessionId: string): Promise<DialogueState | undefined>;
  set(state: DialogueState): Promise<void>;
}

/** Sessions as JSON strings with a TTL, refreshed on every turn. */
export function createRedisSessionStore(redis: Redis, prefix: string, ttlSeconds: number): SessionStore {
  const key = (id: string) => `${prefix}session:${id}`;
  return {
    async get(id) {
      const raw = await redis.get(key(id));
      return raw ? (JSON.parse(raw) as DialogueState) : undefined;
    },
    async set(state) {
      await redis.set(key(state.sessionId), JSON.stringify(state), 'EX', ttlSeconds);
    },
  };
}
