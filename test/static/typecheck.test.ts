import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The brief fixes TypeScript strict; vitest strips types without checking them, so the test
// command checks them here: a type error fails CI like a failing test.
describe('TypeScript', () => {
  it('type-checks the whole project (tsc --noEmit, strict)', () => {
    const root = join(import.meta.dirname, '../..');
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', root], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);
});
