/**
 * Evaluate retrieval on a corpus and questions, beside raw Meilisearch, in one run.
 *
 *   npm run eval:retrieval -- --corpus <corpus.jsonl> --questions <questions.jsonl> [--json] [--k 10]
 *
 * Corpus lines `{"docid","text","title"?}`; question lines `{"id","docid","question","answer"}`.
 * The corpus goes into temporary indexes (never the live one): one built exactly as the product
 * builds its index (chunking, settings, synonyms from KNOWLEDGE_DIR, query model), one with whole
 * documents and default settings (the baseline). Every question runs through the product's
 * retriever — the same `createMeiliRetriever(...).search` the chat calls — and through a plain
 * Meilisearch search. Uses MEILI_URL/MEILI_MASTER_KEY if set, else starts its own Meilisearch.
 * With `--json` the last line is `{"recallAt1",…,"questions","baseline":{…},"firstDocOnly":{…}}`; a hit counts for
 * every document that holds its passage word for word — spacing, punctuation and traditional characters aside (`alsoIn`), `firstDocOnly` only for the cited one.
 * With `--calibration` it also prints how well `confidence` predicts a right first document (by
 * bin) and what `ANSWER_THRESHOLD` does on these questions plus 20 off-topic ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Meilisearch } from 'meilisearch';
import { z } from 'zod';
import { offersChoices } from '../src/dialogue/engine.js';
import { chunkDocument } from '../src/knowledge/chunk.js';
import { loadSynonyms } from '../src/node/bootstrap.js';
import { createNodeMeiliHttpClient } from '../src/node/meili-http.js';
import { startMeilisearch, type MeiliProcess } from '../src/node/meili-process.js';
import { answerHit, summarize, type QuestionOutcome, type RetrievalMetrics } from '../src/retrieval/eval-metrics.js';
import { ingestedIndexName, metaIndexName, syncPassageIndex } from '../src/retrieval/indexer.js';
import { corpusRecordSchema, docFromRecord, parseJsonl, safeDocId } from '../src/retrieval/records.js';
import { ANSWER_THRESHOLD, createMeiliRetriever, SUGGEST_THRESHOLD, SUGGEST_THRESHOLD_WITH_VOCABULARY } from '../src/retrieval/retriever.js';

const questionSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  docid: z.union([z.string(), z.number()]).transform(String),
  question: z.string().min(1),
  answer: z.string(),
});

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Questions the knowledge base cannot answer, for `--calibration` (a citizen's everyday asks). */
const OFF_TOPIC = [
  '明天菏泽天气怎么样', '怎么办护照', '我家猫不吃饭怎么办', '红烧肉怎么做好吃', '推荐一部好看的电影',
  '周末去哪里玩比较好', '手机屏幕碎了去哪修', '怎么学好英语', '牡丹花什么时候开', '股票明天会涨吗',
  '孩子老是哭闹怎么哄', '家里下水道堵了找谁', '驾照科目二怎么练', '哪家火锅店好吃', '狗狗打疫苗多少钱',
  '怎么减肥最快', '给我讲个笑话', '电脑开不了机怎么办', '你叫什么名字', '高铁票怎么退',
];

/** Confidence bins (share of right first documents), the answer threshold's outcome and the suggestion band's. */
/** The thresholds the service gives the dialogue engine. */
const SHIPPED = { answerThreshold: ANSWER_THRESHOLD, suggestThreshold: SUGGEST_THRESHOLD, suggestWithVocabularyThreshold: SUGGEST_THRESHOLD_WITH_VOCABULARY };

function calibration(rows: Array<{ confidence: number; topicCoverage?: number; right: boolean; inTop3: boolean }>, offTopic: Array<{ confidence: number; topicCoverage?: number }>): string {
  const bins: Array<[number, number]> = [[0.8, Infinity], [0.6, 0.8], [0.4, 0.6], [0.2, 0.4], [0, 0.2]];
  const lines = bins.map(([lo, hi]) => {
    const inBin = rows.filter((r) => r.confidence >= lo && r.confidence < hi);
    const right = inBin.filter((r) => r.right).length;
    return `confidence ${lo}${hi === Infinity ? '+' : `–${hi}`}: ${inBin.length} questions, ${inBin.length ? Math.round((100 * right) / inBin.length) : 0}% right document`;
  });
  const n = rows.length || 1;
  const answered = rows.filter((r) => r.confidence >= ANSWER_THRESHOLD);
  lines.push(
    `at ANSWER_THRESHOLD ${ANSWER_THRESHOLD}: ${Math.round((100 * answered.filter((r) => r.right).length) / n)}% answered right, ` +
      `${Math.round((100 * answered.filter((r) => !r.right).length) / n)}% answered wrong, ` +
      `${offTopic.filter((o) => o.confidence >= ANSWER_THRESHOLD).length} of ${offTopic.length} off-topic answered`,
  );
  const band = rows.filter((r) => offersChoices(r, SHIPPED));
  const pct = (k: number) => (band.length ? Math.round((100 * k) / band.length) : 0);
  lines.push(
    `choices offered (${SUGGEST_THRESHOLD} ≤ confidence < ${ANSWER_THRESHOLD}, from ${SUGGEST_THRESHOLD_WITH_VOCABULARY} when the first hit holds policy vocabulary): ${Math.round((100 * band.length) / n)}% of questions, ` +
      `right document first in ${pct(band.filter((r) => r.right).length)}% of them, among the first three in ${pct(band.filter((r) => r.inTop3).length)}%; ` +
      `${offTopic.filter((o) => offersChoices(o, SHIPPED)).length} of ${offTopic.length} off-topic get choices`,
  );
  return lines.join('\n');
}

function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  const { records, errors } = parseJsonl(readFileSync(file, 'utf8'), file, schema);
  if (errors.length) throw new Error(`${errors.length} bad line(s):\n${errors.slice(0, 10).join('\n')}`);
  return records.map((r) => r.value);
}

function table(rows: Array<[string, RetrievalMetrics]>): string {
  const keys: Array<keyof RetrievalMetrics> = ['recallAt1', 'recallAt5', 'recallAt10', 'mrr', 'answerHitAt1', 'answerHitAt3', 'p50Ms', 'p95Ms'];
  const head = ['retriever', ...keys];
  const lines = rows.map(([name, m]) => [name, ...keys.map((k) => String(m[k]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      questions: { type: 'string' },
      json: { type: 'boolean', default: false },
      k: { type: 'string', default: '10' },
      knowledge: { type: 'string', default: process.env.KNOWLEDGE_DIR ?? './knowledge' },
      misses: { type: 'boolean', default: false },
      calibration: { type: 'boolean', default: false },
    },
  });
  if (!values.corpus || !values.questions) {
    throw new Error('usage: eval-retrieval --corpus <corpus.jsonl> --questions <questions.jsonl> [--json] [--k 10]');
  }
  const k = z.coerce.number().int().min(1).max(100).parse(values.k);
  const records = readJsonl(values.corpus, corpusRecordSchema);
  const questions = readJsonl(values.questions, questionSchema);
  const docs = records.map((r) => docFromRecord(r, values.corpus!));
  const passages = docs.flatMap(chunkDocument);
  const synonyms = loadSynonyms(values.knowledge!);
  log(`corpus: ${docs.length} documents → ${passages.length} passages; ${questions.length} questions`);

  let meiliProc: MeiliProcess | undefined;
  let tmp: string | undefined;
  let url = process.env.MEILI_URL;
  let apiKey = process.env.MEILI_MASTER_KEY;
  if (!url) {
    tmp = mkdtempSync(join(tmpdir(), 'yhd-eval-'));
    log('MEILI_URL not set: starting a Meilisearch for this run');
    meiliProc = await startMeilisearch({ dataDir: tmp, masterKey: 'eval-master-key-0123456789abcdef' });
    url = meiliProc.url;
    apiKey = meiliProc.masterKey;
  }
  // As in the service: one client for indexing, one with the Node transport for searches (both retrievers).
  const client = new Meilisearch({ host: url, apiKey, timeout: 30_000 });
  const searchClient = new Meilisearch({ host: url, apiKey, timeout: 30_000, httpClient: createNodeMeiliHttpClient() });
  const stamp = `${process.pid}_${Date.now().toString(36)}`;
  const productIndex = `eval_product_${stamp}`;
  const baselineIndex = `eval_baseline_${stamp}`;
  try {
    let t = performance.now();
    await syncPassageIndex(client, productIndex, passages, synonyms, { force: true });
    log(`product index built in ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    await client.createIndex(baselineIndex, { primaryKey: 'id' }).waitTask();
    const task = await client
      .index(baselineIndex)
      .addDocuments(records.map((r) => ({ id: safeDocId(String(r.docid ?? r.id)), docid: String(r.docid ?? r.id), text: r.text })))
      .waitTask({ timeout: 600_000 });
    if (task.status !== 'succeeded') throw new Error(`baseline indexing failed: ${JSON.stringify(task.error)}`);
    log(`baseline index built in ${Math.round(performance.now() - t)} ms`);

    const retriever = createMeiliRetriever(searchClient, productIndex);
    await retriever.search('预热', { limit: 1 }); // load the query model before timing
    const product: QuestionOutcome[] = [];
    const baseline: QuestionOutcome[] = [];
    const firstDocOnly: QuestionOutcome[] = [];
    let wordSearches = 0;
    const answerMisses = { document: 0, passage: 0, window: 0 };
    const calib: Array<{ confidence: number; topicCoverage?: number; right: boolean; inTop3: boolean }> = [];
    for (const [i, q] of questions.entries()) {
      const t0 = performance.now();
      const res = await retriever.search(q.question, { limit: k });
      const ms = performance.now() - t0;
      if (res.understanding?.wordSearch) wordSearches++;
      const top = res.hits[0];
      // The hit's passage is in the gold document (cited, or a repost in `alsoIn`).
      const holdsGold = (h: (typeof res.hits)[number]) => h.passage.docId === q.docid || !!h.alsoIn?.some((d) => d.docId === q.docid);
      calib.push({ confidence: res.confidence, topicCoverage: res.topicCoverage, right: !!top && holdsGold(top), inTop3: res.hits.slice(0, 3).some(holdsGold) });
      product.push({ docs: res.hits.map((h) => [h.passage.docId, ...(h.alsoIn ?? []).map((d) => d.docId)]), answers: res.hits.map((h) => h.answer), gold: q, ms });
      firstDocOnly.push({ docs: res.hits.map((h) => h.passage.docId), answers: res.hits.map((h) => h.answer), gold: q, ms });
      const t1 = performance.now();
      const base = await searchClient.index<{ docid: string; text: string }>(baselineIndex).search(q.question, { limit: k });
      baseline.push({ docs: base.hits.map((h) => h.docid), answers: base.hits.map((h) => h.text), gold: q, ms: performance.now() - t1 });
      if ((i + 1) % 100 === 0) log(`${i + 1}/${questions.length} questions`);
      if (values.misses && !res.hits.slice(0, 3).some((h) => answerHit(q.answer, h.answer))) {
        // Why the answer was not shown: the document ranked below 3, another passage of it holds
        // the answer, or the passage holds it but the answer window cut it.
        const at = res.hits.findIndex(holdsGold);
        const why = at < 0 || at >= 3 ? 'document' : answerHit(q.answer, res.hits[at]!.passage.text) ? 'window' : 'passage';
        answerMisses[why]++;
        log(`ANSWER-MISS(${why}) ${q.question} | gold answer ${[...q.answer].length} chars: ${q.answer.slice(0, 60)}`);
      }
      if (values.misses && res.hits[0]?.passage.docId !== q.docid) {
        log(`MISS${top && holdsGold(top) ? '(repost)' : ''} ${q.question} | ${res.normalized} | gold@${res.hits.findIndex((h) => h.passage.docId === q.docid)} | top: ${res.hits[0]?.passage.docId ?? '-'} ${res.hits[0]?.passage.title ?? '-'} | gold: ${q.docid}`);
      }
    }
    const result = { ...summarize(product), baseline: summarize(baseline), firstDocOnly: summarize(firstDocOnly) };
    console.log(
      table([
        ['yihaoda', result],
        ['yihaoda, first document only', result.firstDocOnly],
        ['meilisearch raw (baseline)', result.baseline],
      ]),
    );
    console.log('(a hit counts for every document holding its passage word for word, spacing, punctuation and traditional characters aside — reposts, `alsoIn`; "first document only" counts just the cited one)');
    console.log(`questions: ${result.questions}, k = ${k}; Meilisearch word search ran for ${wordSearches}`);
    if (values.misses) {
      console.log(
        `answer not in the first 3 hits: document ranked below 3 ${answerMisses.document}, ` +
          `answer in another passage of the document ${answerMisses.passage}, passage right but answer window cut it ${answerMisses.window}`,
      );
    }
    if (values.calibration) {
      const off: Array<{ confidence: number; topicCoverage?: number }> = [];
      for (const q of OFF_TOPIC) off.push(await retriever.search(q, { limit: k }));
      console.log(calibration(calib, off));
    }
    if (values.json) console.log(JSON.stringify(result));
  } finally {
    for (const uid of [productIndex, metaIndexName(productIndex), ingestedIndexName(productIndex), baselineIndex]) {
      await client.deleteIndexIfExists(uid).catch(() => undefined);
    }
    await meiliProc?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
