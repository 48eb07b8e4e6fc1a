import type { Meilisearch } from 'meilisearch';
import { chunkDocument } from '../knowledge/chunk.js';
import type { KnowledgeDoc, Passage } from '../knowledge/schema.js';
import { passageIndexSettings } from './index-settings.js';
import { modelFromPassages } from './query-model.js';
import { markReposts } from './reposts.js';
import { EMPTY_SYNONYMS, type SynonymSet } from './synonyms.js';
import type { PassageDocument } from './types.js';

export function toDocument(p: Passage): PassageDocument {
  return { ...p, headingsText: p.headings.join(' ') };
}

async function sha256Hex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hash of everything that determines the index's content: passages, settings and query model inputs. */
export function contentHash(passages: Passage[], synonyms: SynonymSet): Promise<string> {
  return sha256Hex(JSON.stringify({ v: 5, passages, settings: passageIndexSettings(), synonyms }));
}

export const META_ID = 'state';
/** Index holding the content hash and the query model of `name`. */
export const metaIndexName = (name: string) => `${name}_meta`;
/**
 * Index holding documents added with `npm run ingest` (whole documents, not passages). It is
 * the source of truth for ingested content: every rebuild of the live index merges it with
 * `knowledge/`, so a restart never drops what was ingested.
 */
export const ingestedIndexName = (name: string) => `${name}_ingested`;

export interface IndexOutcome {
  indexed: boolean;
  passages: number;
  /** Of which from ingested documents. */
  ingestedPassages: number;
  hash: string;
  /** Ingested documents skipped because `knowledge/` has a document with the same id. */
  shadowed: string[];
}

async function indexExists(client: Meilisearch, uid: string): Promise<boolean> {
  try {
    await client.getIndex(uid);
    return true;
  } catch {
    return false;
  }
}

/** All documents added by `npm run ingest` (empty when none were). */
export async function loadIngestedDocs(client: Meilisearch, indexName: string): Promise<KnowledgeDoc[]> {
  const uid = ingestedIndexName(indexName);
  if (!(await indexExists(client, uid))) return [];
  const out: KnowledgeDoc[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await client.index<KnowledgeDoc>(uid).getDocuments({ offset, limit: 500 });
    out.push(...page.results);
    if (page.results.length < 500) break;
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Store documents as ingested (replacing documents with the same id). */
export async function addIngestedDocs(client: Meilisearch, indexName: string, docs: KnowledgeDoc[]): Promise<void> {
  const uid = ingestedIndexName(indexName);
  if (!(await indexExists(client, uid))) {
    await client.createIndex(uid, { primaryKey: 'id' }).waitTask();
    // Only a store: nothing in it is searched.
    await client.index(uid).updateSettings({ searchableAttributes: ['id'], filterableAttributes: ['id'] }).waitTask();
  }
  for (let i = 0; i < docs.length; i += 1000) {
    const task = await client.index(uid).addDocuments(docs.slice(i, i + 1000)).waitTask({ timeout: 300_000 });
    if (task.status !== 'succeeded') throw new Error(`storing ingested documents failed: ${JSON.stringify(task.error)}`);
  }
}

/**
 * Make the live index hold `passages` (from `knowledge/`) plus the passages of every ingested
 * document. Skips the work when the stored content hash matches; otherwise builds a fresh index
 * beside the live one and swaps them atomically, so searches never see an empty or half-built
 * index. The query model (term statistics + synonyms) is stored with the hash.
 */
export async function syncPassageIndex(
  client: Meilisearch,
  indexName: string,
  passages: Passage[],
  synonyms: SynonymSet = EMPTY_SYNONYMS,
  opts: { force?: boolean } = {},
): Promise<IndexOutcome> {
  const own = new Set(passages.map((p) => p.docId));
  const ingested = await loadIngestedDocs(client, indexName);
  const shadowed = ingested.filter((d) => own.has(d.id)).map((d) => d.id);
  const extra = ingested.filter((d) => !own.has(d.id)).flatMap(chunkDocument);
  const all = [...passages, ...extra];
  const hash = await contentHash(all, synonyms);
  const outcome = { passages: all.length, ingestedPassages: extra.length, hash, shadowed };
  if (!opts.force && (await indexExists(client, indexName))) {
    const meta = await client.index(metaIndexName(indexName)).getDocument(META_ID, { fields: ['hash'] }).catch(() => undefined);
    if (meta && meta.hash === hash) return { indexed: false, ...outcome };
  }
  await buildIndex(client, indexName, markReposts(all.map(toDocument)));
  await writeMeta(client, indexName, { id: META_ID, hash, passages: all.length, at: Date.now(), model: modelFromPassages(all, synonyms) });
  return { indexed: true, ...outcome };
}

/** Store the hash and query model of `indexName` (the retriever reloads when the hash changes). */
export async function writeMeta(client: Meilisearch, indexName: string, doc: Record<string, unknown>): Promise<void> {
  const uid = metaIndexName(indexName);
  if (!(await indexExists(client, uid))) {
    await client.createIndex(uid, { primaryKey: 'id' }).waitTask().catch(() => undefined);
  }
  // The model is one large string; keep Meilisearch from tokenising it.
  await client.index(uid).updateSettings({ searchableAttributes: ['id'] }).waitTask();
  const task = await client.index(uid).addDocuments([doc]).waitTask({ timeout: 120_000 });
  if (task.status !== 'succeeded') throw new Error(`writing index metadata failed: ${JSON.stringify(task.error)}`);
}

/** Build `indexName` from scratch via a temporary index and an atomic swap. */
export async function buildIndex(
  client: Meilisearch,
  indexName: string,
  docs: PassageDocument[] | Array<Record<string, unknown>>,
  settings = passageIndexSettings(),
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
