/**
 * Add documents to the live knowledge index.
 *
 *   npm run ingest -- <file|dir> [more…] [--dry-run]
 *
 * - Markdown (`.md`) with the knowledge front matter: validated; a bad file is reported with
 *   `file:line: field: message` and skipped, the rest still load.
 * - JSONL (`.jsonl`): one `{docid|id, title?, text, type?, issuer?, published?, …}` a line; a bad
 *   line is reported with `file:line` and skipped.
 *
 * Ingested documents are kept in their own store index (`<INDEX_NAME>_ingested`) and merged with
 * `knowledge/` into the live index, which is rebuilt beside the live one and swapped in
 * atomically. The start-up sync does the same merge, so a restart keeps them. A document whose id
 * is also in `knowledge/` is shadowed by the knowledge file.
 *
 * Connects to MEILI_URL (+ MEILI_MASTER_KEY) like the service. Without MEILI_URL it opens the
 * embedded Meilisearch database under DATA_DIR — only possible while the service is stopped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Meilisearch } from 'meilisearch';
import { ConfigError, parseConfig } from '../src/config.js';
import { chunkDocument } from '../src/knowledge/chunk.js';
import { parseKnowledgeFile } from '../src/knowledge/front-matter.js';
import type { KnowledgeDoc } from '../src/knowledge/schema.js';
import { loadSynonyms } from '../src/node/bootstrap.js';
import { loadKnowledgeDir } from '../src/node/knowledge-fs.js';
import { startMeilisearch, type MeiliProcess } from '../src/node/meili-process.js';
import { addIngestedDocs, syncPassageIndex } from '../src/retrieval/indexer.js';
import { corpusRecordSchema, docFromRecord, parseJsonl } from '../src/retrieval/records.js';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => listFiles(join(path, name)))
    .filter((f) => /\.(md|jsonl)$/i.test(f) && !/readme\.md$/i.test(f));
}

/** Read and validate every input; bad files/lines are reported, the rest returned. */
export function readInputs(paths: string[]): { docs: KnowledgeDoc[]; errors: string[] } {
  const docs: KnowledgeDoc[] = [];
  const errors: string[] = [];
  for (const file of paths.flatMap(listFiles)) {
    const rel = relative(process.cwd(), file);
    const text = readFileSync(file, 'utf8');
    if (/\.jsonl$/i.test(file)) {
      const { records, errors: bad } = parseJsonl(text, rel, corpusRecordSchema);
      errors.push(...bad);
      docs.push(...records.map((r) => docFromRecord(r.value, `${rel}:${r.line}`)));
      log(`  ${rel}: ${records.length} documents${bad.length ? `, ${bad.length} bad lines` : ''}`);
    } else {
      try {
        docs.push(parseKnowledgeFile(rel, text));
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  }
  return { docs, errors };
}

async function connect(config: ReturnType<typeof parseConfig>): Promise<{ client: Meilisearch; stop?: () => Promise<void> }> {
  if (config.MEILI_URL) {
    return { client: new Meilisearch({ host: config.MEILI_URL, apiKey: config.MEILI_MASTER_KEY, timeout: 300_000 }) };
  }
  const dataDir = join(resolve(config.DATA_DIR), 'meilisearch');
  log(`MEILI_URL is not set: opening the embedded Meilisearch database in ${dataDir}.`);
  let meili: MeiliProcess;
  try {
    meili = await startMeilisearch({ dataDir, masterKey: config.MEILI_MASTER_KEY });
  } catch (err) {
    throw new Error(
      `could not start the embedded Meilisearch on ${dataDir} (${err instanceof Error ? err.message.split('\n')[0] : err}).\n` +
        'If the service is running with its embedded Meilisearch, stop it first (the database can only be opened by one process),\n' +
        'or run the service with MEILI_URL pointing to a Meilisearch server and pass the same MEILI_URL/MEILI_MASTER_KEY here.',
    );
  }
  return { client: new Meilisearch({ host: meili.url, apiKey: meili.masterKey, timeout: 300_000 }), stop: () => meili.stop() };
}

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  if (positionals.length === 0) throw new Error('usage: npm run ingest -- <file.md|file.jsonl|dir> [more…] [--dry-run]');
  const config = parseConfig(process.env);
  const started = Date.now();
  log(`reading ${positionals.join(', ')}`);
  const { docs, errors } = readInputs(positionals);
  for (const e of errors) log(`  rejected: ${e}`);
  const byId = new Map<string, KnowledgeDoc>();
  for (const d of docs) {
    const prev = byId.get(d.id);
    if (prev) errors.push(`${d.source}: id "${d.id}" repeats ${prev.source}; the later one is kept`);
    byId.set(d.id, d);
  }
  const unique = [...byId.values()];
  const passages = unique.flatMap(chunkDocument).length;
  log(`${unique.length} documents (${passages} passages) valid, ${errors.length} problems`);
  if (values['dry-run'] || unique.length === 0) {
    log(values['dry-run'] ? 'dry run: nothing written' : 'nothing to ingest');
    process.exitCode = unique.length === 0 ? 1 : errors.length ? 2 : 0;
    return;
  }
  const { client, stop } = await connect(config);
  try {
    log(`storing ${unique.length} documents in ${config.INDEX_NAME}_ingested …`);
    await addIngestedDocs(client, config.INDEX_NAME, unique);
    log(`rebuilding ${config.INDEX_NAME} from ${config.KNOWLEDGE_DIR} + ingested documents …`);
    const { docs: knowledge, errors: kErrors } = loadKnowledgeDir(config.KNOWLEDGE_DIR);
    for (const e of kErrors) log(`  knowledge file rejected: ${e}`);
    const outcome = await syncPassageIndex(client, config.INDEX_NAME, knowledge.flatMap(chunkDocument), loadSynonyms(config.KNOWLEDGE_DIR));
    for (const id of outcome.shadowed) log(`  note: ingested "${id}" is shadowed by a knowledge/ document with the same id`);
    const summary = {
      ingested: unique.length,
      problems: errors.length,
      indexPassages: outcome.passages,
      ingestedPassages: outcome.ingestedPassages,
      rebuilt: outcome.indexed,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    log(`done: ${summary.ingested} documents ingested, index ${config.INDEX_NAME} now holds ${summary.indexPassages} passages ` +
      `(${summary.ingestedPassages} from ingested documents), ${summary.problems} problems, ${summary.seconds}s`);
    console.log(JSON.stringify(summary));
    process.exitCode = errors.length ? 2 : 0;
  } finally {
    await stop?.();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `ingest failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
