import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('redacts secret-looking fields but keeps ordinary ones', () => {
    const lines: string[] = [];
    createLogger('info', (l) => lines.push(l)).info('x', {
      password: 'p', masterKey: 'k', apiKey: 'k', token: 't', AGENT_TOKENS: 'a', authorization: 'Bearer b', cookie: 'c', contact: '138', phone: '138', idCard: '1',
      passages: 3, keywords: ['社保'], sessionId: 's1',
    });
    const row = JSON.parse(lines[0]!);
    for (const k of ['password', 'masterKey', 'apiKey', 'token', 'AGENT_TOKENS', 'authorization', 'cookie', 'contact', 'phone', 'idCard']) expect(row[k], k).toBe('[redacted]');
    expect(row).toMatchObject({ passages: 3, keywords: ['社保'], sessionId: 's1' });
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });
});
