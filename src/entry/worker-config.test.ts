import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { workerConfig } from './worker-config.js';

const valid = { MEILI_URL: 'https://meili.example.org', REDIS_URL: 'rediss://:pw@redis.example.org:6380' };

describe('workerConfig', () => {
  it('parses vars with the shared schema, ignoring bindings that are not settings', () => {
    const config = workerConfig({ ...valid, INDEX_NAME: 'kb', SESSION_TTL_SECONDS: '600', ASSETS: { fetch() {} } });
    expect(config.MEILI_URL).toBe(valid.MEILI_URL);
    expect(config.INDEX_NAME).toBe('kb');
    expect(config.SESSION_TTL_SECONDS).toBe(600);
  });

  it.each([
    ['MEILI_URL', { REDIS_URL: valid.REDIS_URL }],
    ['REDIS_URL', { MEILI_URL: valid.MEILI_URL }],
  ])('requires %s (nothing can be spawned on Workers)', (name, env) => {
    expect(() => workerConfig(env)).toThrow(ConfigError);
    expect(() => workerConfig(env)).toThrow(new RegExp(`${name}: required on Cloudflare Workers`));
  });

  it('names the variable at fault for a bad value', () => {
    expect(() => workerConfig({ ...valid, REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL: must start with redis:\/\//);
  });

  it('parses a given env object once', () => {
    const env = { ...valid };
    expect(workerConfig(env)).toBe(workerConfig(env));
  });
});
