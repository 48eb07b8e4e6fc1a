import type { Meilisearch } from 'meilisearch';
import type { Passage } from '../knowledge/schema.js';
import { passageIndexSettings } from './index-settings.js';
import type { PassageDocument } from './types.js';

export function toDocument(p: Passage): PassageDocument {
  return { ...p, headingsText: p.headings.join(' ') };
}

async function sha256Hex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hash of everything that determines the index's content: passages and settings. */
export function contentHash(passages: Passage[], synonyms: Record<string, string[]>): Promise<string> {
  return sha256Hex(JSON.stringify({ v: 1, passages, settings: passageIndexSettings(synonyms) }));
}

const META_ID = 'state';
const metaIndex = (name: string) => `${name}_meta`;

export interface IndexOutcome {
  indexed: boolean;
  passages: number;
  hash: string;
}

async function indexExists(client: Meilisearch, uid: string): Promise<boolean> {
  try {
    await client.getIndex(uid);
    return true;
  } catch {
    return false;
  }
}

/**
 * Make the live index hold exactly `passages`. Skips the work when the stored content hash
 * matches; otherwise builds a fresh index beside the live one and swaps them atomically, so
 * searches never see an empty or half-built index.
 */
export async function syncPassageIndex(
  client: Meilisearch,
  indexName: string,
  passages: Passage[],
  synonyms: Record<string, string[]> = {},
  opts: { force?: boolean } = {},
): Promise<IndexOutcome> {
  const hash = await contentHash(passages, synonyms);
  if (!opts.force && (await indexExists(client, indexName))) {
    const meta = await client.index(metaIndex(indexName)).getDocument(META_ID).catch(() => undefined);
    if (meta && meta.hash === hash) return { indexed: false, passages: passages.length, hash };
  }
  await buildIndex(client, indexName, passages.map(toDocument), synonyms);
  await client.createIndex(metaIndex(indexName), { primaryKey: 'id' }).waitTask().catch(() => undefined);
  await client.index(metaIndex(indexName)).addDocuments([{ id: META_ID, hash, passages: passages.length, at: Date.now() }]).waitTask();
  return { indexed: true, passages: passages.length, hash };
}

/** Build `indexName` from scratch via a temporary index and an atomic swap. */
export async function buildIndex(
  client: Meilisearch,
  indexName: string,
  docs: PassageDocument[] | Array<Record<string, unknown>>,
  synonyms: Record<string, string[]> = {},
  settings = passageIndexSettings(synonyms),
): Promise<void> {
  const tmp = `${indexName}_build_${Date.now().toString(36)}`;
  await client.createIndex(tmp, { primaryKey: 'id' }).waitTask({ timeout: 60_000 });
  await client.index(tmp).updateSettings(settings).waitTask({ timeout: 60_000 });
  for (let i = 0; i < docs.length; i += 5000) {
    const task = await client.index(tmp).addDocuments(docs.slice(i, i + 5000)).waitTask({ timeout: 300_000 });
    if (task.status !== 'succeeded') throw new Error(`indexing failed: ${JSON.stringify(task.error)}`);
  }
  if (!(await indexExists(client, indexName))) {
    await client.createIndex(indexName, { primaryKey: 'id' }).waitTask();
  }
  const swap = await client.swapIndexes([{ indexes: [indexName, tmp], rename: false }]).waitTask({ timeout: 60_000 });
  if (swap.status !== 'succeeded') throw new Error(`index swap failed: ${JSON.stringify(swap.error)}`);
  await client.deleteIndex(tmp).waitTask().catch(() => undefined);
}
