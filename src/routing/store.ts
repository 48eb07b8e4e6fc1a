import type { Redis } from '../store/redis.js';
import type { HistoryExample, RoutingModel } from './model.js';

/**
 * Where routing history and the trained model live. History is kept so that every import
 * retrains on everything imported so far (imports add up; the same message twice counts once).
 */
export interface RoutingModelStore {
  /** Add examples; returns how many were new and the total kept. */
  addHistory(examples: HistoryExample[]): Promise<{ added: number; total: number }>;
  history(): Promise<HistoryExample[]>;
  saveModel(model: RoutingModel): Promise<void>;
  loadModel(): Promise<RoutingModel | undefined>;
  /** Forget history and model (for re-imports from scratch). */
  clear(): Promise<void>;
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function isRoutingModel(x: unknown): x is RoutingModel {
  const m = x as RoutingModel;
  return !!m && m.version === 1 && Array.isArray(m.idf) && !!m.model && Array.isArray(m.model.labels) && Array.isArray(m.model.features);
}

/**
 * Redis implementation: history in a hash (field = SHA-1 of the text), the model as one JSON
 * string, both under `${prefix}routing:`.
 */
export function createRedisRoutingModelStore(redis: Redis, prefix: string): RoutingModelStore {
  const historyKey = `${prefix}routing:history`;
  const modelKey = `${prefix}routing:model`;
  return {
    async addHistory(examples) {
      let added = 0;
      for (let i = 0; i < examples.length; i += 500) {
        const batch = examples.slice(i, i + 500);
        const pipeline = redis.pipeline();
        for (const e of batch) pipeline.hsetnx(historyKey, await sha1Hex(e.text), JSON.stringify(e));
        const results = (await pipeline.exec()) ?? [];
        for (const [err, res] of results) {
          if (err) throw err;
          added += Number(res);
        }
      }
      return { added, total: await redis.hlen(historyKey) };
    },
    async history() {
      const all = await redis.hvals(historyKey);
      return all.map((s) => JSON.parse(s) as HistoryExample).sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    },
    async saveModel(model) {
      await redis.set(modelKey, JSON.stringify(model));
    },
    async loadModel() {
      const raw = await redis.get(modelKey);
      if (!raw) return undefined;
      const parsed: unknown = JSON.parse(raw);
      if (!isRoutingModel(parsed)) throw new Error(`${modelKey} does not hold a routing model of version 1`);
      return parsed;
    },
    async clear() {
      await redis.del(historyKey, modelKey);
    },
  };
}

/** The persisted routing model, or undefined when no history was imported yet. */
export function loadRoutingModel(redis: Redis, prefix: string): Promise<RoutingModel | undefined> {
  return createRedisRoutingModelStore(redis, prefix).loadModel();
}
