import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { ServiceData, TextFile } from '../services.js';

/** Every `.yaml`/`.yml` file below `dir`, sorted; none if `dir` is missing. */
export function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

const read = (file: string): TextFile => ({ file, text: readFileSync(file, 'utf8') });

/**
 * Read the data files the services parse (`departments.yaml`, `intents/*.yaml`) from the
 * configured folders. The Worker gets the same files bundled by `scripts/build-worker-data.ts`.
 */
export function readServiceData(config: Pick<Config, 'KNOWLEDGE_DIR' | 'INTENTS_DIR'>): ServiceData {
  const departmentsFile = join(config.KNOWLEDGE_DIR, 'departments.yaml');
  let departments: TextFile;
  try {
    departments = read(departmentsFile);
  } catch {
    throw new Error(`${departmentsFile} is missing`);
  }
  return { departments, intents: yamlFiles(config.INTENTS_DIR).map(read) };
}
