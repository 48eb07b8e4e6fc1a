import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWorkerData, DEFAULT_OUT, renderWorkerData } from '../../scripts/build-worker-data.js';
import { ROOT } from '../helpers/services.js';

interface Metafile {
  inputs: Record<string, { bytes: number; imports: Array<{ path: string; external?: boolean }> }>;
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

const out = mkdtempSync(join(tmpdir(), 'yhd-worker-build-'));
let meta: Metafile;
let bundle: Buffer;

/** `npm run build:worker`, offline, into a temp dir with esbuild's metafile. */
beforeAll(async () => {
  await promisify(execFile)(
    join(ROOT, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', out, '--metafile', join(out, 'meta.json')],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1' } },
  );
  meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as Metafile;
  bundle = readFileSync(join(out, 'worker.js'));
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const packageOf = (input: string) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];

/** A package and everything it depends on, from the installed package.json files. */
function dependencyClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const require = createRequire(join(ROOT, 'package.json'));
  const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) dependencyClosure(dep, seen);
  return seen;
}

describe('npm run build:worker (wrangler deploy --dry-run, offline)', () => {
  it('bundles the Worker within the size a Workers plan accepts', () => {
    const gzip = gzipSync(bundle).length;
    // Free plan limit: 3 MiB gzip. Stay far below so the Worker starts fast.
    expect(gzip).toBeLessThan(1024 * 1024);
    expect(statSync(join(out, 'worker.js')).size).toBeGreaterThan(100 * 1024);
  });

  it('reaches Node built-ins only through the Redis client (ioredis via nodejs_compat)', () => {
    const allowed = dependencyClosure('ioredis');
    const importers = Object.entries(meta.inputs)
      .filter(([file]) => !file.startsWith('node-built-in-modules:')) // esbuild's stand-ins for the built-ins
      .filter(([, input]) => input.imports.some((i) => i.path.startsWith('node-built-in-modules:') || i.path.startsWith('node:')))
      .map(([file]) => file);
    expect(importers.length).toBeGreaterThan(0);
    const outsiders = importers.filter((file) => !allowed.has(packageOf(file) ?? ''));
    expect(outsiders).toEqual([]);
  });

  it('carries no Node-only package (in-memory Redis, Node server, WeChat bot)', () => {
    const output = Object.values(meta.outputs).find((o) => Object.keys(o.inputs).length > 0)!;
    const bytesOf = (pkg: string) =>
      Object.entries(output.inputs)
        .filter(([file]) => packageOf(file) === pkg)
        .reduce((sum, [, i]) => sum + i.bytesInOutput, 0);
    for (const pkg of ['ioredis-mock', '@hono/node-server', 'wechaty', 'tsx']) expect(bytesOf(pkg), pkg).toBe(0);
    expect(bytesOf('hono')).toBeGreaterThan(0);
  });

  it('bundles the current data files (departments and every intents/*.yaml)', () => {
    const data = collectWorkerData();
    expect(readFileSync(DEFAULT_OUT, 'utf8')).toBe(renderWorkerData(data));
    expect(data.departments.file).toBe('knowledge/departments.yaml');
    expect(data.intents.map((f) => f.file)).toEqual(expect.arrayContaining(['intents/consult.yaml']));
    expect(bundle.toString('utf8')).toContain('departments:');
  });
});
