import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../http/errors.js';
import { parseDepartments } from '../knowledge/departments.js';
import { bearerTokenResolver, newToken, parseTokenList, sha256Hex, tokenEntriesFromConfig } from './bearer.js';
import { authenticate, requireRole, type AuthEnv } from './principal.js';

const directory = parseDepartments(`departments:
  - { id: housing, name: 牡丹区住房和城乡建设局, short: 区住建局, responsibilities: 住房 }
  - { id: market, name: 牡丹区市场监督管理局, short: 区市场监管局, responsibilities: 市场 }
`);

async function appWith(config: { AGENT_TOKENS?: string; DEPT_TOKENS?: string }) {
  const resolve = bearerTokenResolver(tokenEntriesFromConfig(config, directory));
  return new Hono<AuthEnv>()
    .use(authenticate([resolve]))
    .get('/who', (c) => c.json(c.get('principal')))
    .get('/agents-only', requireRole('agent'), (c) => c.text('ok'))
    .onError((err, c) => errorResponse(err, c));
}

describe('bearer-token principals', () => {
  it('resolves agents and departments from hashed tokens', async () => {
    const [a, h] = [newToken(), newToken()];
    const app = await appWith({ AGENT_TOKENS: `alice:${await sha256Hex(a)}`, DEPT_TOKENS: `housing:${await sha256Hex(h)}` });
    const who = (t: string) => app.request('/who', { headers: { authorization: `Bearer ${t}` } });
    expect(await (await who(a)).json()).toEqual({ kind: 'agent', id: 'alice' });
    expect(await (await who(h)).json()).toMatchObject({ kind: 'dept', departmentId: 'housing' });
    expect((await who(newToken())).status).toBe(401);
    expect((await app.request('/who')).status).toBe(401);
    expect((await app.request('/agents-only', { headers: { authorization: `Bearer ${h}` } })).status).toBe(403);
    expect((await app.request('/agents-only', { headers: { authorization: `Bearer ${a}` } })).status).toBe(200);
  });

  it('never holds clear tokens in config: a digest presented as a token does not work', async () => {
    const a = newToken();
    const digest = await sha256Hex(a);
    const app = await appWith({ AGENT_TOKENS: `alice:${digest}` });
    expect((await app.request('/who', { headers: { authorization: `Bearer ${digest}` } })).status).toBe(401);
  });

  it('rejects malformed lists and unknown departments, naming the variable', () => {
    expect(() => parseTokenList('alice:nothex', 'agent', 'AGENT_TOKENS')).toThrow(/AGENT_TOKENS/);
    expect(() => parseTokenList(`nosuch:${'a'.repeat(64)}`, 'dept', 'DEPT_TOKENS', directory)).toThrow(/nosuch/);
  });
});
