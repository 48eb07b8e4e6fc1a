import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/knowledge/chunk.js';
import { parseDepartments } from '../../src/knowledge/departments.js';
import { KnowledgeFileError, parseKnowledgeFile } from '../../src/knowledge/front-matter.js';
import { IntentDataError, parseIntentFiles } from '../../src/intents/index.js';
import { corpusRecordSchema, docFromRecord, parseJsonl } from '../../src/retrieval/records.js';

/**
 * The data parsers (knowledge Markdown + front matter, JSONL corpus ingest, departments, intents)
 * get arbitrary and near-valid text. They either return validated data or reject the file with
 * an error naming it — never another exception, never output the index would refuse.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const MEILI_ID = /^[A-Za-z0-9_-]{1,511}$/;

/** Text made of the pieces that matter to YAML/Markdown/JSON parsers, plus anything at all. */
const soup = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        '---', '\n', '\r\n', ':', ': ', '- ', '  ', '"', "'", '#', '[', ']', '{', '}', ',', '&a', '*a', '!!str', '|', '>', '\\',
        'id', 'title', 'type', 'policy', 'published', '2021-13-45', '2021-06-11', 'departments', 'status', '现行有效', '\uFEFF',
        '政策', '第一条', '## ', '# ', '\u0000', '\u2028', '😀', 'null', 'true', '1e309', '<<', '? ', '%YAML 1.2',
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join('')),
);

/** Mostly valid values (so the success path is reached), sometimes anything. */
const mostly = <T,>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });
const frontMatter = fc.record(
  {
    id: mostly(fc.constantFrom('doc-1', 'policy-2021-a', 'x'), fc.oneof(fc.constantFrom('BAD ID', ''), fc.string({ maxLength: 20 }))),
    title: mostly(fc.constantFrom('某某政策', '关于做好就业工作的通知'), fc.string({ maxLength: 40 })),
    type: mostly(fc.constantFrom('policy', 'interpretation', 'guide', 'faq'), fc.string({ maxLength: 8 })),
    issuer: mostly(fc.constant('牡丹区人民政府'), fc.string({ maxLength: 20 })),
    published: mostly(fc.constant('2021-06-11'), fc.oneof(fc.constantFrom('2021-02-30', 'yesterday'), fc.string({ maxLength: 12 }))),
    departments: mostly(fc.constant(['rsj']), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
  },
  { requiredKeys: ['title', 'type', 'issuer', 'published'] },
).chain((fm) => (fm.id === undefined ? fc.constant({ ...fm, id: 'doc-1' }) : fc.constant(fm)));

function markdownOf(fm: Record<string, unknown>, body: string): string {
  const yaml = Object.entries(fm)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `---\n${yaml}\n---\n${body}`;
}

describe('knowledge Markdown with front matter', () => {
  it('parses or rejects with KnowledgeFileError(file:line); parsed docs chunk into indexable passages', () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.oneof(soup, fc.tuple(frontMatter, fc.oneof(soup, fc.constant('# 标题\n\n第一条 为了规范管理，制定本办法。\n\n## 第二章\n\n第二条 本办法自发布之日起施行。'))).map(([fm, body]) => markdownOf(fm, body))), (text) => {
        let doc;
        try {
          doc = parseKnowledgeFile('knowledge/fuzz.md', text);
        } catch (err) {
          expect(err).toBeInstanceOf(KnowledgeFileError);
          expect((err as Error).message).toMatch(/^knowledge\/fuzz\.md:\d+: /);
          return;
        }
        parsed++;
        for (const p of chunkDocument(doc)) expect(p.id).toMatch(MEILI_ID);
      }),
      { numRuns: RUNS * 2 },
    );
    // The generator reaches the success path too (else this test would prove little).
    expect(parsed).toBeGreaterThan(0);
  });
});

describe('JSONL corpus ingest', () => {
  const record = fc.record(
    {
      docid: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null)),
      id: fc.oneof(fc.string({ maxLength: 30 }), fc.double()),
      title: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('  ')),
      text: fc.oneof(fc.string({ maxLength: 400 }), soup, fc.constant('第一条 为了……\n\n第二条 本办法适用于……')),
      type: fc.oneof(fc.constantFrom('policy', 'faq'), fc.string({ maxLength: 6 })),
      published: fc.oneof(fc.constantFrom('2020-01-01', '2020-1-1'), fc.string({ maxLength: 10 })),
      departments: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
      url: fc.oneof(fc.constant('https://example.gov.cn/a'), fc.string({ maxLength: 20 })),
    },
    { requiredKeys: [] },
  );
  const line = fc.oneof(record.map((r) => JSON.stringify(r)), soup, fc.json({ maxDepth: 3 }), fc.constant(''));

  it('reports bad lines as file:line and turns good ones into documents with valid passage ids', () => {
    let good = 0;
    fc.assert(
      // One well-formed record at the end of every file, so good lines are always exercised.
      fc.property(fc.array(line, { maxLength: 8 }).map((ls) => [...ls, JSON.stringify({ docid: 'doc-1', text: '第一条 为了规范管理，制定本办法。' })]), (lines) => {
        const text = lines.join('\n');
        const { records, errors } = parseJsonl(text, 'corpus.jsonl', corpusRecordSchema);
        for (const e of errors) expect(e).toMatch(/^corpus\.jsonl:\d+: /);
        for (const { line: n, value } of records) {
          good++;
          const doc = docFromRecord(value, `corpus.jsonl:${n}`);
          expect(doc.id).toMatch(MEILI_ID);
          for (const p of chunkDocument(doc)) expect(p.id).toMatch(MEILI_ID);
        }
        // Nothing is silently dropped: every non-blank line is either a record or an error.
        expect(records.length + errors.length).toBe(lines.join('\n').split('\n').filter((l) => l.trim()).length);
      }),
      { numRuns: RUNS },
    );
    expect(good).toBeGreaterThan(0);
  });
});

describe('departments and intents data', () => {
  it('departments.yaml: a directory, or an Error naming the file', () => {
    fc.assert(
      fc.property(soup, (text) => {
        try {
          parseDepartments(text, 'knowledge/departments.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toContain('knowledge/departments.yaml');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('intents/*.yaml: intent data, or IntentDataError with file:line lines', () => {
    const intentYaml = fc.oneof(
      soup,
      fc
        .record({
          intent: fc.oneof(fc.constantFrom('greet', 'complain', 'nope'), fc.string({ maxLength: 8 })),
          examples: fc.array(fc.oneof(fc.constantFrom('你好', '我要投诉', ''), fc.string({ maxLength: 12 })), { maxLength: 5 }),
        })
        .map((r) => `intent: ${JSON.stringify(r.intent)}\nexamples:\n${r.examples.map((e) => `  - ${JSON.stringify(e)}`).join('\n')}\n`),
    );
    fc.assert(
      fc.property(fc.array(intentYaml, { minLength: 1, maxLength: 3 }), (texts) => {
        try {
          parseIntentFiles(texts.map((text, i) => ({ file: `intents/f${i}.yaml`, text })), { requireAll: false });
        } catch (err) {
          expect(err).toBeInstanceOf(IntentDataError);
          for (const e of (err as IntentDataError).errors) expect(e).toMatch(/^intents\/f\d\.yaml(:\d+)?: /);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
