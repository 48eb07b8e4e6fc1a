import { ConfigError, parseConfig, type Config } from '../config.js';

/**
 * Parse `process.env` for a Node entry; on a bad setting print which variable is wrong and exit 2
 * (no stack trace: the message is the whole story).
 */
export function configFromEnvOrExit(env: Record<string, unknown> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
