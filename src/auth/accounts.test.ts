import { describe, expect, it } from 'vitest';
import { accountSchema, hashPassword, verifyPassword } from './accounts.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const h = await hashPassword('correct horse battery', FAST);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!', FAST), hashPassword('same password!', FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('uses the default cost N=2^15 and keeps the parameters with the hash', async () => {
    const h = await hashPassword('default cost pw');
    expect(h.split('$').slice(1, 4)).toEqual(['32768', '8', '1']);
    expect(await verifyPassword('default cost pw', h)).toBe(true);
  });

  it('treats malformed or absurd hashes as a mismatch instead of throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$a$b', 'bcrypt$1$2$3$4$5', `scrypt$${2 ** 24}$8$1$AAAA$AAAA`]) {
      expect(await verifyPassword('whatever pw', bad)).toBe(false);
    }
  });

  it('binds dept users to a department and nobody else', () => {
    const base = { username: 'zhang', passwordHash: 'scrypt$1$1$1$a$b', createdAt: '2021-11-05T00:00:00Z' };
    expect(accountSchema.safeParse({ ...base, role: 'dept', dept: 'hrss' }).success).toBe(true);
    expect(accountSchema.safeParse({ ...base, role: 'dept' }).success).toBe(false);
    expect(accountSchema.safeParse({ ...base, role: 'agent', dept: 'hrss' }).success).toBe(false);
    expect(accountSchema.safeParse({ ...base, role: 'agent' }).success).toBe(true);
    expect(accountSchema.safeParse({ ...base, username: 'A B', role: 'agent' }).success).toBe(false);
  });
});
