import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseIntentFiles, type IntentData, type IntentFileText } from '../intents/schema.js';

/** Read every `*.yaml`/`*.yml` in `dir` (sorted, so the order is stable) as texts. */
export function readIntentFiles(dir: string): IntentFileText[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => ({ file: relative(process.cwd(), join(dir, n)) || n, text: readFileSync(join(dir, n), 'utf8') }));
}

/** Read and validate `intents/`; throws `IntentDataError` listing `file:line` problems. */
export function loadIntentsDir(dir: string): IntentData {
  return parseIntentFiles(readIntentFiles(dir));
}
