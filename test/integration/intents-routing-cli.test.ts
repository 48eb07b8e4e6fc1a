import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadRoutingModel } from '../../src/routing/store.js';
import { createRedis } from '../../src/store/redis.js';
import { ROOT, uniqueName } from '../helpers/services.js';

const run = promisify(execFile);
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'yhd-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('eval:intents', () => {
  it('prints the table and, with --json, the contract line last', async () => {
    const { stdout } = await run(tsx, ['scripts/eval-intents.ts', '--file', 'test/fixtures/intents-dev.jsonl', '--json'], { cwd: ROOT });
    expect(stdout).toMatch(/confusion \(rows gold, columns predicted\)/);
    const j = lastJson(stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['accuracy', 'macroF1', 'perIntent', 'n']));
    expect(j.n).toBeGreaterThan(150);
    expect(j.perIntent.complain).toMatchObject({ precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number) });
    expect(j.accuracy).toBeGreaterThan(j.baseline.accuracy);
  });

  it('names the bad line of a malformed test file', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text":"你好","intent":"greet"}\n{"text":"x","intent":"chitchat"}\n');
    await expect(run(tsx, ['scripts/eval-intents.ts', '--file', bad], { cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringContaining('bad.jsonl:2: intent') });
  });
});

describe('eval:routing', () => {
  it('scores with a category map and prints the contract line last', async () => {
    const train = join(dir, 'train.jsonl');
    const test = join(dir, 'test.jsonl');
    const map = join(dir, 'map.json');
    writeFileSync(map, JSON.stringify({ 路灯类: ['transport'], 社保类: ['hrss', 'medins'] }));
    writeFileSync(train, Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `${i}号楼前的灯坏了`, category: '路灯类' })).join('\n'));
    writeFileSync(test, [JSON.stringify({ text: '楼前的灯又坏了', category: '路灯类' }), JSON.stringify({ text: '医保报销', category: '社保类' })].join('\n'));
    const { stdout } = await run(tsx, ['scripts/eval-routing.ts', '--test', test, '--train', train, '--map', map, '--json'], { cwd: ROOT });
    const j = lastJson(stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['accuracy', 'macroF1', 'n', 'perLabel']));
    expect(j).toMatchObject({ n: 2, accuracy: 1 });
    expect(j.perLabel.transport.recall).toBe(1);
  });
});

describe('import:history', () => {
  it('imports into Redis a model the service can load', async () => {
    const prefix = `${uniqueName('cli')}:`;
    const file = join(dir, 'history.jsonl');
    const map = join(dir, 'history-map.json');
    writeFileSync(map, JSON.stringify({ 灯: ['transport'] }));
    writeFileSync(file, [...Array.from({ length: 15 }, (_, i) => JSON.stringify({ text: `${i}栋楼前的灯坏了`, category: '灯' })), '{"text":"未知","category":"别的"}'].join('\n'));
    const env = { ...process.env, REDIS_URL: inject('redisUrl'), REDIS_PREFIX: prefix };
    const { stderr } = await run(tsx, ['scripts/import-history.ts', file, '--map', map], { cwd: ROOT, env });
    expect(stderr).toContain('read 15 messages (1 skipped); 15 new, 15 in history');
    expect(stderr).toMatch(/history\.jsonl:16: category not in the map/);
    const redis = createRedis(inject('redisUrl'));
    try {
      const model = await loadRoutingModel(redis, prefix);
      expect(model).toMatchObject({ version: 1, historyCount: 15 });
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('fails with a usage message without a file', async () => {
    await expect(run(tsx, ['scripts/import-history.ts'], { cwd: ROOT, env: { ...process.env, REDIS_URL: inject('redisUrl') } })).rejects.toMatchObject({
      stderr: expect.stringContaining('usage: import:history'),
    });
  });
});
