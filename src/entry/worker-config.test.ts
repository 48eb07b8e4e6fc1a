import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { workerConfig } from './worker-config.js';

const valid = {
  MEILI_URL: 'https://meili.example.org',
  REDIS_URL: 'rediss://:pw@redis.example.org:6380',
  CASE_ENCRYPTION_KEY: '00'.repeat(32),
};
const without = (name: keyof typeof valid) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== name));

describe('workerConfig', () => {
  it('parses vars with the shared schema, ignoring bindings that are not settings', () => {
    const config = workerConfig({ ...valid, INDEX_NAME: 'kb', SESSION_TTL_SECONDS: '600', ASSETS: { fetch() {} } });
    expect(config.MEILI_URL).toBe(valid.MEILI_URL);
    expect(config.INDEX_NAME).toBe('kb');
    expect(config.SESSION_TTL_SECONDS).toBe(600);
  });

  it.each(['MEILI_URL', 'REDIS_URL', 'CASE_ENCRYPTION_KEY'] as const)('requires %s (nothing to spawn, no disk on Workers)', (name) => {
    expect(() => workerConfig(without(name))).toThrow(ConfigError);
    expect(() => workerConfig(without(name))).toThrow(new RegExp(`${name}: required on Cloudflare Workers`));
    expect(() => workerConfig({ ...without(name), [name]: '' })).toThrow(new RegExp(`${name}: required`));
  });

  it('names the variable at fault for a bad value', () => {
    expect(() => workerConfig({ ...valid, REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL: must start with redis:\/\//);
  });

  it('parses a given env object once', () => {
    const env = { ...valid };
    expect(workerConfig(env)).toBe(workerConfig(env));
  });
});
