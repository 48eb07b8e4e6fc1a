import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { Passage } from '../../src/knowledge/schema.js';
import type { SearchFilters } from '../../src/retrieval/types.js';
import { addUser, PanelClient } from '../helpers/panel-client.js';
import { testServices, type TestServices } from '../helpers/services.js';

/**
 * User-controlled values must reach Meilisearch filter expressions only as quoted string
 * literals. If one escaped its quotes, `x" OR type = "policy` would widen the filter and return
 * documents; a broken quote would make Meilisearch reject the filter (→ SearchUnavailableError).
 * So for every filter field: the search must succeed and return only exact matches of the value.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

let services: TestServices;
let app: ReturnType<typeof createApp>;
let panel: PanelClient;
beforeAll(async () => {
  services = await testServices();
  app = createApp(services);
  await addUser(services, { username: 'agent1', role: 'agent', displayName: '坐席一', password: 'correct-horse-battery' });
  panel = new PanelClient(app);
  const login = await panel.get('/login');
  const res = await panel.postForm('/login', { username: 'agent1', password: 'correct-horse-battery', _csrf: PanelClient.csrfOf(await login.text()) });
  expect(res.status).toBe(303);
});
afterAll(() => services?.cleanup());

/** Classic payloads that would widen an unescaped filter, plus quote/backslash soup. */
const injections = fc.oneof(
  fc.constantFrom(
    'x" OR type = "policy', "x' OR type = 'policy", 'x\\" OR docId EXISTS OR "', '" OR 1=1 --', '\\', '\\\\"', '"',
    ') OR (type = policy', 'policy" OR "1" = "1', 'a" OR departments IS NOT EMPTY OR "', 'x" OR publishedTs > 0 OR "',
    '现行有效" OR status != "x', 'NOT docId = "none"', '\n" OR type EXISTS',
  ),
  fc.string({ unit: fc.constantFrom('"', "'", '\\', ' ', 'OR', 'AND', 'NOT', '=', '!=', '(', ')', 'type', 'x', '政策', 'EXISTS', '>') , maxLength: 30 }),
  fc.string({ maxLength: 40 }),
);

const fieldOf: Record<string, (v: string) => SearchFilters> = {
  type: (v) => ({ type: [v as Passage['type']] }),
  departments: (v) => ({ departments: [v] }),
  status: (v) => ({ status: v as Passage['status'] }),
  docId: (v) => ({ docId: v }),
};

function matches(p: Passage, field: string, v: string): boolean {
  if (field === 'departments') return p.departments.includes(v);
  return (p as unknown as Record<string, unknown>)[field] === v;
}

describe('Meilisearch filter injection', () => {
  it.each(Object.keys(fieldOf))('retriever filter on %s: hostile values stay literals', async (field) => {
    await fc.assert(
      fc.asyncProperty(injections, async (v) => {
        const res = await services.retriever.search('政府信息公开 申请', { limit: 20, filters: fieldOf[field]!(v) });
        if (v === '' && (field === 'docId' || field === 'status')) return; // empty means "no filter" for scalar fields
        for (const h of res.hits) expect(matches(h.passage, field, v), `${field}=${JSON.stringify(v)} returned ${h.passage.docId}`).toBe(true);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 4)) },
    );
  });

  it('the same payloads on a real value do not widen the result (control: the filter does work)', async () => {
    const all = await services.retriever.search('政府信息公开 申请', { limit: 20 });
    expect(all.hits.length).toBeGreaterThan(0);
    const docId = all.hits[0]!.passage.docId;
    const exact = await services.retriever.search('政府信息公开 申请', { limit: 20, filters: { docId } });
    expect(exact.hits.length).toBeGreaterThan(0);
    expect(exact.hits.every((h) => h.passage.docId === docId)).toBe(true);
    const injected = await services.retriever.search('政府信息公开 申请', { limit: 20, filters: { docId: `${docId}" OR type = "policy` } });
    expect(injected.hits).toHaveLength(0);
  });

  it('panel document lookups (docId, interprets) keep hostile ids literal', async () => {
    await fc.assert(
      fc.asyncProperty(injections, async (v) => {
        expect(await services.passages.document(v)).toEqual([]);
        expect([...(await services.passages.titlesOf([v])).keys()].every((k) => k === v)).toBe(true);
        expect((await services.passages.interpretationsOf([v, `x" OR type = "interpretation`])).size).toBe(0);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 4)) },
    );
  });

  it('panel search and document pages: hostile query parameters give 400/404, never 5xx or extra results', async () => {
    // Control: signed in, a plain search renders.
    const plain = await panel.get(`/panel?q=${encodeURIComponent('政府信息公开')}`);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toContain('data-doc=');
    await fc.assert(
      fc.asyncProperty(
        fc.record({ type: injections, dept: injections, status: injections, from: injections, to: injections, doc: injections }),
        async (p) => {
          const qs = new URLSearchParams({ q: '政府信息公开', type: p.type, dept: p.dept, status: p.status, from: p.from, to: p.to });
          for (const path of ['/panel', '/panel/results']) {
            const res = await panel.get(`${path}?${qs}`);
            expect(res.status, `${path}?${qs}`).toBeLessThan(500);
            expect(res.status, `${path}?${qs}`).not.toBe(401);
            await res.arrayBuffer();
          }
          const doc = await panel.get(`/panel/doc/${encodeURIComponent(p.doc)}`);
          expect(doc.status, `doc ${p.doc}`).toBeLessThan(500);
          if (p.doc.trim()) expect(doc.status).not.toBe(200);
          await doc.arrayBuffer();
        },
      ),
      { numRuns: Math.max(20, Math.floor(RUNS / 4)) },
    );
  });
});
