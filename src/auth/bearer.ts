import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { Principal, PrincipalResolver } from './principal.js';

/**
 * Bearer tokens for the staff APIs. Config holds only SHA-256 digests of the tokens
 * (`id:sha256hex` pairs, comma-separated), so a leaked config or env dump grants nothing;
 * `npm run token:new` prints a new token and the pair to add.
 */
export interface TokenEntry {
  principal: Principal;
  digest: Uint8Array;
}

export const TOKEN_LIST_RE = /^[a-z0-9][a-z0-9_.-]*:[0-9a-f]{64}(,[a-z0-9][a-z0-9_.-]*:[0-9a-f]{64})*$/;

const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

export async function sha256Hex(s: string): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A new random token: `yhd_` + 32 random bytes base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return 'yhd_' + btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Parse one `id:sha256hex,...` list into entries for `kind`.
 * @throws Error naming `variable` on bad syntax, or a DEPT_TOKENS id missing from the directory.
 */
export function parseTokenList(
  raw: string | undefined,
  kind: Principal['kind'],
  variable: string,
  directory?: DepartmentDirectory,
): TokenEntry[] {
  if (!raw) return [];
  const s = raw.trim().toLowerCase();
  if (!TOKEN_LIST_RE.test(s)) throw new Error(`${variable}: expected comma-separated id:sha256hex pairs`);
  return s.split(',').map((pair) => {
    const [id, hex] = pair.split(':') as [string, string];
    if (kind === 'dept') {
      if (directory && !directory.get(id)) throw new Error(`${variable}: unknown department "${id}"`);
      // The id in audits names the token (first digest bytes), not just the department.
      return { principal: { kind, id: `${id}#${hex.slice(0, 8)}`, departmentId: id }, digest: hexToBytes(hex) };
    }
    return { principal: { kind, id }, digest: hexToBytes(hex) };
  });
}

/** Compare all bytes without an early exit, so timing reveals nothing about the digest. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Resolve `Authorization: Bearer <token>` against the digests. Every entry is compared (in
 * constant time each), so the time taken does not depend on which entry matches.
 */
export function bearerTokenResolver(entries: readonly TokenEntry[]): PrincipalResolver {
  return async (c) => {
    const header = c.req.header('authorization');
    const m = header ? /^Bearer\s+([\x21-\x7e]{16,200})$/i.exec(header.trim()) : null;
    if (!m || entries.length === 0) return undefined;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(m[1]!)));
    let found: Principal | undefined;
    for (const e of entries) if (equalBytes(digest, e.digest) && !found) found = e.principal;
    return found;
  };
}

/** All bearer-token entries from config: AGENT_TOKENS, DEPT_TOKENS, ADMIN_TOKENS. */
export function tokenEntriesFromConfig(
  config: { AGENT_TOKENS?: string; DEPT_TOKENS?: string; ADMIN_TOKENS?: string },
  directory: DepartmentDirectory,
): TokenEntry[] {
  return [
    ...parseTokenList(config.AGENT_TOKENS, 'agent', 'AGENT_TOKENS'),
    ...parseTokenList(config.DEPT_TOKENS, 'dept', 'DEPT_TOKENS', directory),
    ...parseTokenList(config.ADMIN_TOKENS, 'admin', 'ADMIN_TOKENS'),
  ];
}
