import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { decodeEncryptionKey, generateEncryptionKey } from '../cases/contact-cipher.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The embedded setup's contact-encryption key: when CASE_ENCRYPTION_KEY is not configured, use
 * `DATA_DIR/case-encryption.key`, creating it (mode 0600) on first start. The key is never logged.
 * Returns the config with the key filled in.
 */
export function withCaseEncryptionKey(config: Config, logger: Logger): Config {
  if (config.CASE_ENCRYPTION_KEY) return config;
  const file = join(resolve(config.DATA_DIR), 'case-encryption.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      // 'wx': if another process created it a moment ago, keep theirs.
      writeFileSync(file, `${generateEncryptionKey()}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      logger.warn('CASE_ENCRYPTION_KEY not set: generated a contact-encryption key file; back it up with the Redis data', { file });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  try {
    decodeEncryptionKey(key);
  } catch {
    throw new Error(`${file} does not hold a 32-byte key (64 hex digits); restore it from backup`);
  }
  return { ...config, CASE_ENCRYPTION_KEY: key };
}
