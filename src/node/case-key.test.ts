import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { withCaseEncryptionKey } from './case-key.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('embedded contact-encryption key', () => {
  it('creates DATA_DIR/case-encryption.key once (0600) and reuses it; never logs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yhd-key-'));
    dirs.push(dir);
    const lines: string[] = [];
    const logger = createLogger('debug', (l) => lines.push(l));
    const first = withCaseEncryptionKey(parseConfig({ DATA_DIR: dir }), logger);
    expect(first.CASE_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'case-encryption.key')).mode & 0o777).toBe(0o600);
    const second = withCaseEncryptionKey(parseConfig({ DATA_DIR: dir }), logger);
    expect(second.CASE_ENCRYPTION_KEY).toBe(first.CASE_ENCRYPTION_KEY);
    expect(lines.join('\n')).not.toContain(first.CASE_ENCRYPTION_KEY);
    expect(readFileSync(join(dir, 'case-encryption.key'), 'utf8').trim()).toBe(first.CASE_ENCRYPTION_KEY);
  });

  it('keeps a configured key and refuses a corrupt key file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yhd-key-'));
    dirs.push(dir);
    const logger = createLogger('silent');
    const configured = 'ab'.repeat(32);
    expect(withCaseEncryptionKey(parseConfig({ DATA_DIR: dir, CASE_ENCRYPTION_KEY: configured }), logger).CASE_ENCRYPTION_KEY).toBe(configured);
    writeFileSync(join(dir, 'case-encryption.key'), 'garbage');
    expect(() => withCaseEncryptionKey(parseConfig({ DATA_DIR: dir }), logger)).toThrow(/32-byte/);
  });
});
