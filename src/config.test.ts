import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('applies embedded defaults', () => {
    const c = parseConfig({});
    expect(c.PORT).toBe(8787);
    expect(c.HOST).toBe('::');
    expect(c.MEILI_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe('./data');
  });
  it('treats empty strings as unset', () => {
    expect(parseConfig({ MEILI_URL: '', REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
  it('names the variable at fault', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => parseConfig({ MEILI_URL: 'not a url' })).toThrow(/MEILI_URL/);
  });
});
