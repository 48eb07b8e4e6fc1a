import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseKnowledgeFile } from '../knowledge/front-matter.js';
import type { KnowledgeDoc } from '../knowledge/schema.js';

export interface LoadedKnowledge {
  docs: KnowledgeDoc[];
  /** Files rejected, each with `file:line: field: message`. The rest still load. */
  errors: string[];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.md') && name.toLowerCase() !== 'readme.md') out.push(p);
  }
  return out;
}

/** Read every Markdown document below `dir`; a bad file is reported and skipped. */
export function loadKnowledgeDir(dir: string): LoadedKnowledge {
  const docs: KnowledgeDoc[] = [];
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const file of walk(dir)) {
    const rel = relative(process.cwd(), file);
    try {
      const doc = parseKnowledgeFile(rel, readFileSync(file, 'utf8'));
      const dup = seen.get(doc.id);
      if (dup) throw new Error(`${rel}:2: id: "${doc.id}" is already used by ${dup}`);
      seen.set(doc.id, rel);
      docs.push(doc);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { docs, errors };
}

export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
