import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectWorkerData } from '../../scripts/build-worker-data.js';
import { readServiceData } from '../../src/node/service-data.js';
import { parseServiceData } from '../../src/services.js';
import { INTENTS_DIR, KNOWLEDGE_DIR, ROOT } from '../helpers/services.js';

describe('both runtimes get the same data files', () => {
  const fromDisk = readServiceData({ KNOWLEDGE_DIR, INTENTS_DIR });
  const bundled = collectWorkerData();
  const shape = (files: Array<{ file: string; text: string }>) =>
    files.map((f) => ({ file: relative(ROOT, f.file) || f.file, text: f.text }));

  it('bundles exactly what the Node side reads: departments and every intents file, same text', () => {
    expect(shape([bundled.departments])).toEqual(shape([fromDisk.departments]));
    expect(shape(bundled.intents)).toEqual(shape(fromDisk.intents));
    expect(bundled.intents.length).toBeGreaterThan(0);
  });

  it('the bundled data parses into the same directory as the files on disk', () => {
    const a = parseServiceData(bundled);
    const b = parseServiceData(fromDisk);
    expect(a.directory.list).toEqual(b.directory.list);
    expect(a.directory.list.length).toBeGreaterThan(10);
  });
});
