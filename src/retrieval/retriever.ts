import { MeilisearchApiError, type Meilisearch, type MultiSearchParams, type MultiSearchResponse } from 'meilisearch';
import { selectAnswer } from './answer.js';
import { DEFAULT_BM25, terms } from './bm25.js';
import { buildFilter, quoteFilterValue } from './filters.js';
import { GAZETTEER, placesAgree, type Place } from './places.js';
import { leadOf, ownText, ownTextScore, showBestPassages, withSecondPassage, type OwnText, type Scored } from './passage-choice.js';
import { metaIndexName, META_ID } from './indexer.js';
import { understandQuery, type UnderstoodQuery } from './query.js';
import { loadStoredModel, type QueryModel, type StoredModel } from './query-model.js';
import { REPOST_MIN_CHARS, repostRef, repostText } from './reposts.js';
import { SearchUnavailableError, type PassageDocument, type RepostRef, type RetrievalHit, type RetrievalResult, type Retriever, type SearchFilters } from './types.js';

/**
 * Confidence at or above which the first hit should be given as the answer; below it, say
 * "not found" / ask to rephrase or offer a human. At 0.6 on the NCPQA dev set: 73% of questions
 * answered with the right document, 6% answered wrongly, 0 of 20 off-topic questions answered
 * (docs/benchmarks.md, "Retrieval").
 */
export const ANSWER_THRESHOLD = 0.6;
/**
 * Between this and {@link ANSWER_THRESHOLD} the chat does not answer but offers the best documents
 * as choices. In that band the right document was among the first three for 84 % of the NCPQA dev
 * questions and 85 % of the colloquial ones (4 of 20 off-topic questions fall in it too);
 * docs/benchmarks.md, session 15.
 */
export const SUGGEST_THRESHOLD = 0.3;
/**
 * The same, down to this confidence, when the first hit holds some of the question's policy
 * vocabulary (`topicCoverage` > 0). Colloquial questions score low confidence even when right —
 * their personal context lowers the coverage —, while 18 of the 20 off-topic questions name no
 * policy vocabulary at all: with this, choices reach 54 % of colloquial questions (right among
 * them 83 %) instead of 25 %, and no more off-topic ones (docs/benchmarks.md, session 15).
 */
export const SUGGEST_THRESHOLD_WITH_VOCABULARY = 0.1;

export interface MeiliRetrieverOptions {
  /** Passages each word-search query fetches from Meilisearch (default 20). */
  candidates?: number;
  /** How often (ms) to check that the cached query model still matches the index (default 10 s). */
  modelTtlMs?: number;
  now?: () => number;
  /** Field weights of passage scoring (default FIELD_WEIGHTS). */
  fieldWeights?: FieldWeights;
  /** Weight of whole-document BM25 beside the best passage's score when ranking documents (default DOC_WEIGHT). */
  docWeight?: number;
  /**
   * Documents ranked first by whole-document BM25 (over every document, in process) whose passages
   * are fetched as candidates besides the passage queries' own (default DOC_CANDIDATES; 0 = off).
   */
  docCandidates?: number;
}

/**
 * How many of the best whole-document matches also send their passages as candidates, and at most
 * how many passages that brings (docs/benchmarks.md, "Retrieval": 8 documents / 200 passages).
 */
export const DOC_CANDIDATES = 8;
export const DOC_CANDIDATE_PASSAGES = 200;
/**
 * Below this share of the question found in the best document, Meilisearch's word search runs as
 * well (docs/benchmarks.md, "Retrieval"): the question may hold a typo or a word the bigram
 * statistics cannot match.
 */
export const WORD_SEARCH_BELOW = 0.3;
/** Documents whose passages the retriever keeps in process (for document candidates). */
const DOC_CACHE_MAX = 5_000;

/** Weight of the whole-document BM25 score in a document's rank (docs/benchmarks.md, "Retrieval"). */
export const DOC_WEIGHT = 0.5;

export { normalizeWidth, stripFillers, toSimplified } from './query.js';
export { REPOST_MIN_CHARS } from './reposts.js';
export { showBestPassages, type Scored } from './passage-choice.js';

/** BM25F-style weights of a passage's fields: a term in the title or document lead counts more than in the body. */
export interface FieldWeights {
  title: number;
  context: number;
  headings: number;
}
export const FIELD_WEIGHTS: FieldWeights = { title: 1, context: 1, headings: 1 };

/**
 * Term counts of a passage (fields weighted) and of its own text (`ownText`), cached by id: passages
 * are immutable for a given index hash.
 */
class TermCache {
  private map = new Map<string, { tf: Map<string, number>; len: number; own: OwnText }>();
  /**
   * Terms of a title and a lead, and the set of both, by title and lead: the same for every passage
   * of a document after the first (whose own opening stands for the lead, `leadOf`).
   */
  private shared = new Map<string, { title: string[]; lead: string[]; set: Set<string> }>();
  /** The places a document names in its title, issuer and opening words (`places.ts`), by document. */
  private docPlaces = new Map<string, Place[]>();
  constructor(
    private readonly fw: FieldWeights,
    private readonly max = 20_000,
  ) {}
  get(p: PassageDocument) {
    let e = this.map.get(p.id);
    if (!e) {
      const leadText = leadOf(p);
      const key = `${p.title}\n${leadText}`;
      let d = this.shared.get(key);
      if (!d) {
        const title = terms(p.title);
        const lead = terms(leadText);
        d = { title, lead, set: new Set([...title, ...lead]) };
        if (this.shared.size >= this.max) this.shared.clear();
        this.shared.set(key, d);
      }
      const own = ownText(p, this.fw.headings, d.set);
      // The whole passage: its own text plus the title and lead (`context`) every passage of its
      // document shares; the first passage has no context, its own text opens with the lead.
      const tf = new Map(own.tf);
      let len = own.len;
      const add = (ts: string[], w: number) => {
        for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + w);
        len += ts.length * w;
      };
      add(d.title, this.fw.title);
      if (p.context) add(d.lead, this.fw.context); // the lead is the context
      e = { tf, len, own };
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(p.id, e);
    }
    return e;
  }
  places(p: PassageDocument): Place[] {
    let found = this.docPlaces.get(p.docId);
    if (!found) {
      found = GAZETTEER.find(`${p.title} ${p.issuer ?? ''} ${p.context ?? p.text.slice(0, 150)}`);
      if (this.docPlaces.size >= this.max) this.docPlaces.clear();
      this.docPlaces.set(p.docId, found);
    }
    return found;
  }
  clear() {
    this.map.clear();
    this.shared.clear();
    this.docPlaces.clear();
  }
}

/**
 * Re-rank candidates with BM25 over character bigrams (IDF from the whole index, via the query
 * model) plus the weighted share of query terms the passage covers (Meilisearch's "words" idea,
 * which plain BM25 lacks). `body` scores the passage's own text, for the choice of passage within
 * its document (`ownTextScore`).
 */
function scoreCandidates(cands: PassageDocument[], u: UnderstoodQuery, model: QueryModel, cache: TermCache): Scored[] {
  const weights = new Map<string, number>();
  let original = 0;
  let total = 0;
  for (const [t, w] of u.terms) {
    const x = model.idf(t) * w;
    weights.set(t, x);
    total += x;
    if (u.original.has(t)) original += x;
  }
  const { k1, b } = DEFAULT_BM25;
  const avg = model.stats.avgLen || 1;
  return cands.map((doc) => {
    const { tf, len, own } = cache.get(doc);
    const norm = k1 * (1 - b + (b * len) / avg);
    let s = 0;
    let cov = 0;
    const matched = new Set<string>();
    for (const [t, w] of weights) {
      const f = tf.get(t);
      if (!f) continue;
      s += (w * f * (k1 + 1)) / (f + norm);
      cov += w;
      matched.add(t);
    }
    const coverage = original > 0 ? Math.min(1, cov / original) : 0;
    return { doc, score: s / (total || 1) + 0.5 * coverage, coverage, matched, body: ownTextScore(own, weights, u.original, original, total, avg) };
  });
}

/** Query term weights for whole-document BM25 (document-level IDF × term weight) and their sum. */
function documentWeights(u: UnderstoodQuery, docs: NonNullable<QueryModel['docs']>): { weights: Array<[string, number]>; total: number } {
  const weights: Array<[string, number]> = [];
  let total = 0;
  for (const [t, w] of u.terms) {
    const x = docs.idf(t) * w;
    weights.push([t, x]);
    total += x;
  }
  return { weights, total };
}

/**
 * The `k` documents with the best whole-document BM25 over the whole index (not only among
 * passage candidates): a question whose words are spread over a document, or whose passage the
 * passage queries rank low, still brings that document's passages in.
 */
export function topDocuments(u: UnderstoodQuery, model: QueryModel, k: number): string[] {
  if (!model.docs || k <= 0) return [];
  return rankDocuments(u, model.docs, k).top.map(([id]) => id);
}

/**
 * Whole-document BM25 of every document for the question, computed once: the best `k` documents,
 * how much of the question (IDF-weighted, the question's own terms and the synonym file's official
 * terms) the first of them contains, 0..1, and any document's score on the passage score's scale
 * (divided by the query's total weight; undefined for an unknown document).
 */
export function rankDocuments(
  u: UnderstoodQuery,
  docs: NonNullable<QueryModel['docs']>,
  k: number,
): { top: Array<[string, number]>; coverage: number; scoreOf(docId: string): number | undefined } {
  const { weights, total } = documentWeights(u, docs);
  const all = docs.score(weights);
  const top = all.top(k);
  const first = top[0]?.[0];
  let have = 0;
  let wanted = 0;
  for (const [t, w] of weights) {
    if (!u.original.has(t)) continue;
    wanted += w;
    if (first !== undefined && docs.has(first, t)) have += w;
  }
  const scoreOf = (docId: string) => {
    const v = all.of(docId);
    return v === undefined ? undefined : v / (total || 1);
  };
  return { top, coverage: wanted > 0 ? have / wanted : 0, scoreOf };
}

/**
 * Okapi BM25 of whole documents (title + every passage's body) for the given documents,
 * normalised by the query's total weight so it is on the passage score's scale. Evidence spread
 * over several passages (the question's subject in one, its detail in another) counts here, which
 * passage-only scoring misses.
 */
export function scoreDocuments(docIds: Iterable<string>, u: UnderstoodQuery, model: QueryModel): Map<string, number> {
  const out = new Map<string, number>();
  if (!model.docs) return out;
  const { scoreOf } = rankDocuments(u, model.docs, 0);
  for (const id of docIds) {
    const v = scoreOf(id);
    if (v !== undefined) out.set(id, v);
  }
  return out;
}

/**
 * `{ topicCoverage }`: the share of the question's policy vocabulary (`u.topic`: curated terms, and
 * the official terms of colloquial ones) whose bigrams the passage (title, lead, headings, text)
 * holds; `{}` when the question names no such vocabulary.
 */
export function topicCoverageOf(u: Pick<UnderstoodQuery, 'topic'>, tf: Map<string, number>): { topicCoverage?: number } {
  const wanted = new Set(terms(u.topic));
  if (wanted.size === 0) return {};
  let have = 0;
  for (const t of wanted) if (tf.has(t)) have++;
  return { topicCoverage: Math.round((have / wanted.size) * 1000) / 1000 };
}

/** The document id when `filters` asks for one document and nothing else. */
export function onlyDocument(filters: SearchFilters | undefined): string | undefined {
  if (!filters?.docId) return undefined;
  const others = Object.entries(filters).filter(([k, v]) => k !== 'docId' && v !== undefined && !(Array.isArray(v) && v.length === 0));
  return others.length === 0 ? filters.docId : undefined;
}

/**
 * When the question names a place (`places.ts`): the score factor of a document that names
 * places, none of them the question's, and of one that names none (a national or unplaced
 * document may still answer, so it loses little). NCPQA dev R@1 0.851 → 0.859, colloquial
 * 0.571 → 0.619, held-out 3 0.600 → 0.633 (docs/benchmarks.md, session 14). Tried: mismatch ×0.5
 * (dev 0.856); unnamed ×0.85 / ×0.7 (colloquial 0.635 / 0.651 but dev 0.851 / 0.846); marking
 * down place-naming documents when the question names none, ×0.9 (colloquial and held-out 2 lost).
 */
export const PLACE_MISMATCH = 0.7;
export const PLACE_UNNAMED = 0.92;

const repostKeys = new WeakMap<PassageDocument, string>();
function repostKey(p: PassageDocument): string {
  let key = repostKeys.get(p);
  if (key === undefined) {
    key = repostText(p.text);
    repostKeys.set(p, key);
  }
  return key;
}

/**
 * The hits, best first: at most `perDoc` passages per document, and a passage whose text another
 * document repeats word for word (spacing, punctuation and traditional characters aside: one notice
 * reposted by several sites) shown once, with the other documents in `alsoIn` — a citizen or agent
 * should not get the same text twice. The other documents are those the index found holding the
 * passage (`reposts`, whether or not they were candidates) and any candidate repeating it.
 */
export function pickHits(scored: Scored[], limit: number, perDoc: number): Array<Scored & { alsoIn: NonNullable<RetrievalHit['alsoIn']> }> {
  const count = new Map<string, number>();
  const picked: Array<Scored & { alsoIn: NonNullable<RetrievalHit['alsoIn']> }> = [];
  const byText = new Map<string, (typeof picked)[number]>();
  // Name another document holding the hit's passage; that document is shown through this hit.
  const addRepost = (hit: (typeof picked)[number], ref: RepostRef) => {
    if (ref.docId === hit.doc.docId || hit.alsoIn.some((d) => d.docId === ref.docId)) return;
    hit.alsoIn.push(ref);
    count.set(ref.docId, perDoc);
  };
  for (const s of scored) {
    const key = repostKey(s.doc);
    const same = key.length >= REPOST_MIN_CHARS ? byText.get(key) : undefined;
    if (same) {
      addRepost(same, repostRef(s.doc));
      continue;
    }
    if (picked.length >= limit) continue; // keep looking only for reposts of what is picked
    const n = count.get(s.doc.docId) ?? 0;
    if (n >= perDoc) continue;
    count.set(s.doc.docId, n + 1);
    const hit: (typeof picked)[number] = { ...s, alsoIn: [] };
    for (const r of s.doc.reposts ?? []) addRepost(hit, r);
    picked.push(hit);
    if (key.length >= REPOST_MIN_CHARS) byText.set(key, hit);
  }
  return picked;
}

/** Query phrases whose bigrams the passage contains, for highlighting (e.g. ['社会保险', '缓缴']). */
export function matchedPhrases(query: string, matched: Set<string>): string[] {
  const out: string[] = [];
  for (const part of query.split(' ')) {
    const chars = [...part];
    let cur = '';
    for (let i = 0; i < chars.length; i++) {
      const bi = chars[i]! + (chars[i + 1] ?? '');
      if (matched.has(bi)) cur += cur ? chars[i + 1]! : bi;
      else {
        if (cur) out.push(cur);
        cur = '';
      }
    }
    if (cur) out.push(cur);
  }
  return [...new Set(out)];
}

/**
 * How sure we are that the first hit answers the question, 0..1: a logistic model of the share of
 * the question the passage covers, its score, and its margin over the runner-up (an answer that
 * stands out from the other candidates is more often right). Fitted on the NCPQA dev questions
 * plus off-topic questions (weighted ×5, so an off-topic question rarely clears the threshold);
 * in bins of confidence ≥ 0.8 the first document was right 97% of the time, 0.6–0.8: 80%,
 * 0.4–0.6: 74% (docs/benchmarks.md; `npm run eval:retrieval -- … --calibration`). Re-fit whenever the score changes.
 */
export function confidenceOf(top: { score: number; coverage: number } | undefined, second?: { score: number }): number {
  if (!top || top.score <= 0) return 0;
  const margin = (top.score - (second?.score ?? 0)) / top.score;
  const z = -4.41 + 2.22 * top.coverage + 1.71 * top.score + 2.83 * margin;
  return Math.round((1 / (1 + Math.exp(-z))) * 1000) / 1000;
}

/**
 * The retriever the chat, the agent panel and the eval use: query understanding, several
 * Meilisearch candidate queries in one `multiSearch`, in-process BM25 re-ranking, best passage
 * per document, sentence-level answer.
 */
export function createMeiliRetriever(client: Meilisearch, indexName: string, opts: MeiliRetrieverOptions = {}): Retriever {
  const candidates = opts.candidates ?? 20;
  const docWeight = opts.docWeight ?? DOC_WEIGHT;
  const docCandidates = opts.docCandidates ?? DOC_CANDIDATES;
  const ttl = opts.modelTtlMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new TermCache(opts.fieldWeights ?? FIELD_WEIGHTS);
  // All passages of a document, as fetched for document candidates; immutable for one index hash.
  const docPassages = new Map<string, PassageDocument[]>();
  let state: { hash: string; model: QueryModel; checkedAt: number } | undefined;
  let pending: Promise<QueryModel> | undefined;

  async function refreshModel(): Promise<QueryModel> {
    const meta = client.index(metaIndexName(indexName));
    let head: { hash?: string } | undefined;
    try {
      head = await meta.getDocument<{ hash?: string }>(META_ID, { fields: ['hash'] });
    } catch (err) {
      // Unreachable: keep what we have (ask again after the TTL), or fail this search (the next one
      // asks again). Only "no model stored" (an API answer) means an empty model.
      if (!(err instanceof MeilisearchApiError)) {
        if (!state) throw new SearchUnavailableError(err);
        state.checkedAt = now();
        return state.model;
      }
    }
    const hash = head?.hash ?? '';
    if (state && state.hash === hash) {
      state.checkedAt = now();
      return state.model;
    }
    let full: { model?: StoredModel } | undefined;
    if (hash) {
      try {
        full = await meta.getDocument<{ model?: StoredModel }>(META_ID);
      } catch (err) {
        if (err instanceof MeilisearchApiError) full = undefined;
        else if (state) {
          state.checkedAt = now();
          return state.model;
        } else throw new SearchUnavailableError(err);
      }
    }
    const model = loadStoredModel(full?.model);
    cache.clear();
    docPassages.clear();
    state = { hash, model, checkedAt: now() };
    return model;
  }

  function currentModel(): Promise<QueryModel> | QueryModel {
    if (state && now() - state.checkedAt < ttl) return state.model;
    pending ??= refreshModel().finally(() => (pending = undefined));
    // Serve with the old model while checking, once one is loaded.
    return state ? state.model : pending;
  }

  return {
    async search(query, searchOpts = {}) {
      const started = now();
      const model = await currentModel();
      const u = understandQuery(query, model.synonyms, model.lexicon, model.idf);
      const limit = searchOpts.limit ?? 5;
      const perDoc = searchOpts.perDoc ?? 1;
      if (!u.normalized) return { normalized: '', hits: [], confidence: 0, tookMs: 0 };
      // Within one document (a follow-up about the document the conversation is on): its
      // passages are the candidates — all of them, from the in-process copy once fetched.
      const oneDoc = onlyDocument(searchOpts.filters);
      const filter = oneDoc ? [] : buildFilter(searchOpts.filters);
      // 1. Candidate documents: whole-document BM25 over every document, in process.
      const ranked = model.docs ? rankDocuments(u, model.docs, oneDoc || docCandidates <= 0 ? 0 : Math.max(docCandidates, limit)) : undefined;
      const topDocs = oneDoc ? [oneDoc] : (ranked?.top.map(([id]) => id) ?? []);
      // 2. Meilisearch's word search (typo-tolerant, prefix, its own segmentation) as well, when
      // the search is filtered (the panel), or the best document holds too little of the question.
      const wordSearch = !oneDoc && (filter.length > 0 || !ranked || docCandidates <= 0 || ranked.coverage < WORD_SEARCH_BELOW);
      const qs: Array<{ q: string; matchingStrategy: 'frequency' | 'last' }> = wordSearch
        ? [
            { q: u.rewritten, matchingStrategy: 'frequency' },
            { q: u.normalized, matchingStrategy: 'last' },
            // Meilisearch reads only the first 10 words: long messages also search their keywords.
            { q: u.long ? u.keywords : '', matchingStrategy: 'frequency' },
            { q: u.topic, matchingStrategy: 'last' },
          ]
        : [];
      const seenQ = new Set<string>();
      const params: MultiSearchParams = {
        queries: qs
          .filter((x) => x.q && !seenQ.has(x.q + x.matchingStrategy) && seenQ.add(x.q + x.matchingStrategy))
          .map((x) => ({ indexUid: indexName, q: x.q, matchingStrategy: x.matchingStrategy, limit: candidates, filter })),
      };
      // 3. Every passage (up to DOC_CANDIDATE_PASSAGES) of the candidate documents, in the same round
      // trip: a filter-only query. Passages are immutable for one index version, so without filters
      // a document fetched before comes from the in-process copy.
      const fromCache = filter.length === 0 ? topDocs.filter((d) => docPassages.has(d)) : [];
      const toFetch = topDocs.filter((d) => !fromCache.includes(d));
      const docQuery = toFetch.length > 0 ? params.queries.length : -1;
      if (toFetch.length > 0) {
        params.queries.push({
          indexUid: indexName,
          q: '',
          limit: DOC_CANDIDATE_PASSAGES,
          filter: [...filter, `docId IN [${toFetch.map(quoteFilterValue).join(', ')}]`],
        });
      }
      let res: MultiSearchResponse<PassageDocument> = { results: [] };
      if (params.queries.length > 0) {
        try {
          res = await client.multiSearch<MultiSearchParams, PassageDocument>(params);
        } catch (err) {
          throw new SearchUnavailableError(err);
        }
      }
      const byId = new Map<string, PassageDocument>();
      for (const r of res.results) for (const h of r.hits) if (!byId.has(h.id)) byId.set(h.id, h);
      for (const d of fromCache) for (const h of docPassages.get(d)!) if (!byId.has(h.id)) byId.set(h.id, h);
      const fetched = res.results[docQuery];
      if (fetched && filter.length === 0 && fetched.hits.length < DOC_CANDIDATE_PASSAGES) {
        // Complete (fewer than the limit came back): keep them for the next question.
        if (docPassages.size + toFetch.length > DOC_CACHE_MAX) docPassages.clear();
        for (const d of toFetch) docPassages.set(d, []);
        for (const h of fetched.hits) docPassages.get(h.docId)?.push(h);
      }
      const scored = scoreCandidates([...byId.values()], u, model, cache);
      if (docWeight > 0 && ranked) for (const s of scored) s.score += docWeight * (ranked.scoreOf(s.doc.docId) ?? 0);
      const asked = GAZETTEER.find(u.normalized);
      if (asked.length > 0) {
        for (const s of scored) {
          const agree = placesAgree(asked, cache.places(s.doc));
          if (agree === false) s.score *= PLACE_MISMATCH;
          else if (agree === undefined) s.score *= PLACE_UNNAMED;
        }
      }
      scored.sort((a, b) => b.score - a.score);
      const shown = showBestPassages(scored);
      const one = pickHits(shown, limit, perDoc);
      const top = one[0];
      // The runner-up is the best passage of another document that is not a repost of the first.
      const confidence = confidenceOf(top, top && scored.find((x) => x.doc.docId !== top.doc.docId && !top.alsoIn.some((d) => d.docId === x.doc.docId)));
      const picked = perDoc === 1 ? withSecondPassage(one, shown, confidence >= ANSWER_THRESHOLD, limit, (s) => ({ ...s, alsoIn: [] })) : one;
      const answerWeights = new Map([...u.terms].map(([t, w]) => [t, model.idf(t) * w]));
      const hits: RetrievalHit[] = picked.map((s) => {
        const { headingsText: _h, reposts: _r, ...passage } = s.doc;
        return {
          passage,
          score: s.score,
          answer: selectAnswer(s.doc.text, answerWeights),
          matched: matchedPhrases(`${u.normalized} ${u.rewritten}`, s.matched),
          coverage: Math.round(s.coverage * 1000) / 1000,
          ...(s.alsoIn.length > 0 ? { alsoIn: s.alsoIn } : {}),
        };
      });
      return {
        normalized: u.normalized,
        hits,
        confidence,
        tookMs: now() - started,
        ...(top ? topicCoverageOf(u, cache.get(top.doc).tf) : {}),
        understanding: { rewritten: u.rewritten, keywords: u.keywords, topic: u.topic, corrections: u.corrections, expansions: u.expansions, wordSearch },
      } satisfies RetrievalResult;
    },
  };
}
