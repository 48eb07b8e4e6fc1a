/**
 * Evaluate the intent classifier on a labelled JSONL file (`{"text","intent"}` per line).
 *
 *   npm run eval:intents -- --file test/fixtures/intents-holdout.jsonl [--json] [--errors] [--intents intents]
 *
 * Prints accuracy, per-intent P/R/F1 and the confusion matrix, next to a baseline measured in
 * the same run (the YAML patterns/keywords alone, first match wins, else `consult`). With
 * `--json` the last line is `{"accuracy","macroF1","perIntent","n",...}`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { INTENTS, type Intent } from '../src/dialogue/types.js';
import { createIntentClassifier } from '../src/intents/classifier.js';
import { evaluate, formatReport } from '../src/intents/metrics.js';
import { normalizeText } from '../src/intents/normalize.js';
import { loadIntentsDir } from '../src/node/intents-fs.js';
import { runCli } from './cli.js';

const lineSchema = z.object({ text: z.string().min(1), intent: z.enum(INTENTS) });

function readLabelled(file: string) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), no: i + 1 }))
    .filter((l) => l.line)
    .map(({ line, no }) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${no}: not valid JSON`);
      }
      const r = lineSchema.safeParse(json);
      if (!r.success) throw new Error(`${file}:${no}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return r.data;
    });
}

function main() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      json: { type: 'boolean', default: false },
      errors: { type: 'boolean', default: false },
      intents: { type: 'string', default: 'intents' },
    },
  });
  if (!values.file) throw new Error('usage: eval-intents --file <jsonl> [--json] [--errors] [--intents <dir>]');
  const data = loadIntentsDir(values.intents!);
  const rows = readLabelled(values.file);

  const t0 = performance.now();
  const classifier = createIntentClassifier(data);
  const trainMs = performance.now() - t0;

  const outcomes = rows.map((r) => {
    const res = classifier.classify(r.text);
    return { gold: r.intent, predicted: res.intent, text: r.text, confidence: res.confidence };
  });
  // Latency on a second, warm pass (the service classifies with a warm JIT).
  const times = rows.map((r) => {
    const s = performance.now();
    classifier.classify(r.text);
    return (performance.now() - s) * 1000;
  });
  times.sort((a, b) => a - b);
  const report = evaluate(outcomes, [...INTENTS]);

  const baselineOf = (text: string): Intent => {
    const norm = normalizeText(text);
    const hit = data.intents.find((d) => d.patterns.some((re) => re.test(norm)) || d.keywords.some((k) => norm.includes(normalizeText(k))));
    return hit?.intent ?? 'consult';
  };
  const baseline = evaluate(rows.map((r) => ({ gold: r.intent, predicted: baselineOf(r.text) })), [...INTENTS]);
  const meanUs = times.reduce((a, b) => a + b, 0) / times.length;
  const p99Us = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!;

  console.log(formatReport(`intent classifier on ${values.file}`, report));
  console.log(`\nbaseline (patterns/keywords only): accuracy ${baseline.accuracy.toFixed(4)}  macro-F1 ${baseline.macroF1.toFixed(4)}`);
  console.log(`training ${trainMs.toFixed(0)} ms on ${data.intents.reduce((n, d) => n + d.examples.length, 0)} examples; classify mean ${meanUs.toFixed(1)} µs, p99 ${p99Us.toFixed(1)} µs`);
  if (values.errors) {
    console.log('\nerrors:');
    for (const o of outcomes) if (o.gold !== o.predicted) console.log(`  ${o.gold} -> ${o.predicted} (${o.confidence.toFixed(2)})  ${o.text}`);
  }
  if (values.json) {
    console.log(
      JSON.stringify({
        accuracy: report.accuracy,
        macroF1: report.macroF1,
        perIntent: report.perLabel,
        n: report.n,
        confusion: report.confusion,
        baseline: { accuracy: baseline.accuracy, macroF1: baseline.macroF1 },
        trainMs: Math.round(trainMs),
        classifyMeanUs: Math.round(meanUs * 10) / 10,
        classifyP99Us: Math.round(p99Us * 10) / 10,
      }),
    );
  }
}

runCli(main);
