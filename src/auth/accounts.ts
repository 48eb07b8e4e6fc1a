import { scryptAsync } from '@noble/hashes/scrypt.js';
import { z } from 'zod';
import type { Redis } from '../store/redis.js';

/** Who a panel user is: hotline agent, department staff (bound to one department) or admin. */
export const USER_ROLES = ['agent', 'dept', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, '用户名为2-32位小写字母、数字、点、下划线或连字符');
export const passwordSchema = z.string().min(10, '密码至少10位').max(200, '密码不能超过200位');

/** A stored account. `passwordHash` is a self-describing scrypt string (see {@link hashPassword}). */
export const accountSchema = z.object({
  username: usernameSchema,
  role: z.enum(USER_ROLES),
  /** Department id; required for `dept`, absent otherwise. */
  dept: z.string().regex(/^[a-z][a-z0-9_]*$/).optional(),
  displayName: z.string().max(40).optional(),
  passwordHash: z.string().startsWith('scrypt$'),
  createdAt: z.string(),
  disabled: z.boolean().optional(),
}).refine((a) => (a.role === 'dept') === Boolean(a.dept), { message: 'dept 角色必须绑定一个部门，其他角色不能绑定', path: ['dept'] });

export type Account = z.infer<typeof accountSchema>;

/**
 * scrypt parameters. N=2^15, r=8 costs 32 MiB and ~0.1-0.3 s in pure JS: slow enough to make
 * offline guessing expensive, fast enough for a login form. Stored with each hash, so raising
 * them later keeps old hashes verifiable.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, dkLen: 32 } as const;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

/**
 * Hash a password with scrypt and a random 16-byte salt.
 * @example await hashPassword('correct horse') // "scrypt$32768$8$1$<salt>$<hash>"
 */
export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const dk = await scryptAsync(password.normalize('NFKC'), salt, { ...params, dkLen: 32 });
  return ['scrypt', params.N, params.r, params.p, b64(salt), b64(dk)].join('$');
}

/** Compare without an early exit, so timing does not reveal how many bytes matched. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Check a password against a stored {@link hashPassword} string; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const expected = unb64(parts[5]!);
  const dk = await scryptAsync(password.normalize('NFKC'), unb64(parts[4]!), { N, r, p, dkLen: expected.length });
  return equalBytes(dk, expected);
}

/** Persistence of panel accounts. */
export interface AccountStore {
  get(username: string): Promise<Account | undefined>;
  /** Create or replace an account. */
  put(account: Account): Promise<void>;
  list(): Promise<Account[]>;
  remove(username: string): Promise<boolean>;
  /**
   * The account if the password is right and the account is enabled. Takes the same time for
   * an unknown user as for a wrong password, so the response does not reveal which usernames exist.
   */
  authenticate(username: string, password: string): Promise<Account | undefined>;
}

let dummyHash: Promise<string> | undefined;

/** Accounts in one Redis hash `<prefix>accounts` (field = username, value = JSON). */
export function createRedisAccountStore(redis: Redis, prefix: string): AccountStore {
  const key = `${prefix}accounts`;
  const parse = (raw: string | null | undefined) => {
    if (!raw) return undefined;
    const r = accountSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  };
  const store: AccountStore = {
    async get(username) {
      const name = usernameSchema.safeParse(username);
      return name.success ? parse(await redis.hget(key, name.data)) : undefined;
    },
    async put(account) {
      const a = accountSchema.parse(account);
      await redis.hset(key, a.username, JSON.stringify(a));
    },
    async list() {
      const all = await redis.hgetall(key);
      return Object.values(all)
        .map((v) => parse(v))
        .filter((a): a is Account => a !== undefined)
        .sort((x, y) => x.username.localeCompare(y.username));
    },
    async remove(username) {
      return (await redis.hdel(key, username)) > 0;
    },
    async authenticate(username, password) {
      const account = await store.get(username);
      if (!account || account.disabled) {
        dummyHash ??= hashPassword('not-a-real-password');
        await verifyPassword(password, await dummyHash);
        return undefined;
      }
      return (await verifyPassword(password, account.passwordHash)) ? account : undefined;
    },
  };
  return store;
}
