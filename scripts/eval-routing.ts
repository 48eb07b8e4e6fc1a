/**
 * Evaluate department routing.
 *
 *   npm run eval:routing -- --test <jsonl> [--train <jsonl>] [--map <json>] [--folds <k>] [--json] [--errors]
 *
 * Trains on `--train` (if given) plus `knowledge/departments.yaml`, then reports accuracy and
 * per-department precision/recall on `--test`. Lines are `{"text","category"}` or
 * `{"text","department"}`. With `--map`, a prediction is right if it is one of the mapped
 * departments of the gold category. `--folds k` instead cross-validates on `--test` alone
 * (k folds by line number, each trained on the other folds plus the directory). Baselines
 * measured in the same run: the directory alone, and the most frequent training department.
 * `--json` prints `{"accuracy","macroF1","n","perLabel",...}` as the last line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config.js';
import { evaluate, formatReport, type EvalReport, type Outcome } from '../src/intents/metrics.js';
import { parseDepartments, type DepartmentDirectory } from '../src/knowledge/departments.js';
import { parseCategoryMap, parseHistory, toHistoryExamples, type LabelledMessage } from '../src/routing/history.js';
import { createRouter, trainRoutingModel, type Router } from '../src/routing/model.js';
import { runCli } from './cli.js';

function score(router: Router, test: LabelledMessage[]): Outcome[] {
  return test.map((m) => {
    const predicted = router.route(m.text).department;
    const correct = m.departments.includes(predicted);
    // Score per department: a right answer counts for the department predicted.
    return { gold: correct ? predicted : m.departments[0]!, predicted, correct };
  });
}

function run(directory: DepartmentDirectory, train: LabelledMessage[], test: LabelledMessage[]) {
  const t0 = performance.now();
  const model = trainRoutingModel({ directory, history: toHistoryExamples(train) });
  const trainMs = performance.now() - t0;
  const router = createRouter({ directory, model });
  const t1 = performance.now();
  const outcomes = score(router, test);
  const routeUs = ((performance.now() - t1) / Math.max(1, test.length)) * 1000;
  return { outcomes, trainMs, routeUs, modelBytes: JSON.stringify(model).length };
}

function main() {
  const { values } = parseArgs({
    options: {
      test: { type: 'string' },
      train: { type: 'string' },
      map: { type: 'string' },
      folds: { type: 'string' },
      json: { type: 'boolean', default: false },
      errors: { type: 'boolean', default: false },
    },
  });
  if (!values.test) throw new Error('usage: eval:routing -- --test <jsonl> [--train <jsonl>] [--map <json>] [--folds <k>] [--json]');
  const config = parseConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const depsFile = join(config.KNOWLEDGE_DIR, 'departments.yaml');
  const directory = parseDepartments(readFileSync(depsFile, 'utf8'), depsFile);
  const map = values.map ? parseCategoryMap(JSON.parse(readFileSync(values.map, 'utf8')), directory, values.map) : {};
  const load = (f: string) => {
    const h = parseHistory(readFileSync(f, 'utf8'), directory, map, f);
    for (const s of h.skipped) console.error(`skipped ${s}`);
    return h.messages;
  };
  const test = load(values.test);
  const train = values.train ? load(values.train) : [];
  const folds = values.folds ? Number(values.folds) : 0;
  if (values.folds && (!Number.isInteger(folds) || folds < 2)) throw new Error('--folds must be an integer >= 2');

  let outcomes: Outcome[] = [];
  let baseline: Outcome[] = [];
  let trainMs = 0;
  let routeUs = 0;
  let modelBytes = 0;
  const dirRouter = createRouter({ directory });
  if (folds) {
    for (let k = 0; k < folds; k++) {
      const r = run(directory, [...train, ...test.filter((_, i) => i % folds !== k)], test.filter((_, i) => i % folds === k));
      outcomes.push(...r.outcomes);
      trainMs += r.trainMs / folds;
      routeUs += r.routeUs / folds;
      modelBytes = r.modelBytes;
    }
  } else {
    ({ outcomes, trainMs, routeUs, modelBytes } = run(directory, train, test));
  }
  baseline = score(dirRouter, test);
  const report: EvalReport = evaluate(outcomes, directory.list.map((d) => d.id));
  const base = evaluate(baseline, directory.list.map((d) => d.id));
  const trainedOn = folds ? `${folds}-fold cross-validation on ${values.test}${values.train ? ` + ${values.train}` : ''}` : values.train ? `trained on ${values.train}` : 'directory only';
  report.labels = report.labels.filter((l) => report.perLabel[l]!.support > 0 || report.confusion[l] || Object.values(report.confusion).some((row) => row[l]));

  console.log(formatReport(`routing on ${values.test} (${trainedOn})`, report));
  console.log(`\nbaseline (directory only, no history): accuracy ${base.accuracy.toFixed(4)}  macro-F1 ${base.macroF1.toFixed(4)}`);
  console.log(`training ${(trainMs / 1000).toFixed(2)} s${folds ? ' per fold' : ''}; route ${routeUs.toFixed(0)} µs per message; model ${(modelBytes / 1e6).toFixed(1)} MB as JSON`);
  if (values.errors) {
    console.log('\nerrors:');
    test.forEach((m, i) => {
      const o = folds ? undefined : outcomes[i];
      if (o && !o.correct) console.log(`  ${m.gold} -> ${o.predicted}  ${m.text.slice(0, 60)}`);
    });
  }
  if (values.json) {
    console.log(
      JSON.stringify({
        accuracy: report.accuracy,
        macroF1: report.macroF1,
        n: report.n,
        perLabel: report.perLabel,
        baseline: { directoryOnly: { accuracy: base.accuracy, macroF1: base.macroF1 } },
        folds: folds || undefined,
        trainMs: Math.round(trainMs),
        routeUs: Math.round(routeUs),
        modelBytes,
      }),
    );
  }
}

runCli(main);
