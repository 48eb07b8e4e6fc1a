/**
 * Print a new API token and the config entry that accepts it (only the SHA-256 digest goes into
 * config; hand the token itself to the agent or department once, over a safe channel).
 *
 *   npm run token:new -- dept housing     → DEPT_TOKENS entry for 住建局
 *   npm run token:new -- agent alice      → AGENT_TOKENS entry
 *   npm run token:new -- admin root       → ADMIN_TOKENS entry
 */
import { newToken, sha256Hex } from '../src/auth/bearer.js';

const VARS = { agent: 'AGENT_TOKENS', dept: 'DEPT_TOKENS', admin: 'ADMIN_TOKENS' } as const;

async function main() {
  const [kind, id] = process.argv.slice(2);
  if (!kind || !(kind in VARS) || !id || !/^[a-z0-9][a-z0-9_.-]*$/.test(id)) {
    console.error('usage: npm run token:new -- <agent|dept|admin> <id>   (id: lower-case letters, digits, _ . -; for dept the department id)');
    process.exit(2);
  }
  const token = newToken();
  const entry = `${id}:${await sha256Hex(token)}`;
  console.log(`token (give to the holder, shown once):\n  ${token}`);
  console.log(`add to ${VARS[kind as keyof typeof VARS]} (comma-separated with existing entries):\n  ${entry}`);
}

void main();
