import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;

beforeAll(async () => {
  services = await testServices({ indexKnowledge: false });
});
afterAll(() => services.cleanup());

/** `npm run user:add -- …` as an operator runs it, against the test Redis and key prefix. */
function userAdd(args: string[], password: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/user-add.ts'), ...args], {
    cwd: ROOT,
    input: `${password}\n`,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: services.config.REDIS_URL, REDIS_PREFIX: services.config.REDIS_PREFIX, KNOWLEDGE_DIR: services.config.KNOWLEDGE_DIR, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('npm run user:add', () => {
  it('creates a department user whose password signs in', async () => {
    const r = userAdd(['--username', 'Zhang.San', '--role', 'dept', '--dept', 'hrss', '--name', '张三'], 'a-long-password-1');
    expect(r.out).toContain('已创建用户 zhang.san（dept · hrss）');
    expect(r.status).toBe(0);
    const account = await services.accounts.authenticate('zhang.san', 'a-long-password-1');
    expect(account).toMatchObject({ username: 'zhang.san', role: 'dept', dept: 'hrss', displayName: '张三' });
    expect(account!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('refuses to overwrite without --force, and --force replaces the password and ends old sessions', async () => {
    userAdd(['--username', 'li', '--role', 'agent'], 'first-password-1');
    const { id } = await services.userSessions.create((await services.accounts.get('li'))!);
    const again = userAdd(['--username', 'li', '--role', 'agent'], 'second-password-2');
    expect(again.status).toBe(2);
    expect(again.out).toContain('已存在');
    expect(await services.accounts.authenticate('li', 'first-password-1')).toBeDefined();
    const forced = userAdd(['--username', 'li', '--role', 'admin', '--force'], 'second-password-2');
    expect(forced.status).toBe(0);
    expect(await services.accounts.authenticate('li', 'second-password-2')).toMatchObject({ role: 'admin' });
    expect(await services.accounts.authenticate('li', 'first-password-1')).toBeUndefined();
    expect(await services.userSessions.get(id)).toBeUndefined();
  });

  it('rejects bad input with exit code 2 and a reason', () => {
    const cases: Array<[string[], string, RegExp]> = [
      [['--username', 'w', '--role', 'agent'], 'a-long-password-1', /username/],
      [['--username', 'wang', '--role', 'boss'], 'a-long-password-1', /role/],
      [['--username', 'wang', '--role', 'dept'], 'a-long-password-1', /--dept/],
      [['--username', 'wang', '--role', 'dept', '--dept', 'nope'], 'a-long-password-1', /--dept/],
      [['--username', 'wang', '--role', 'agent', '--dept', 'hrss'], 'a-long-password-1', /只有 dept/],
      [['--username', 'wang', '--role', 'agent'], 'short', /密码至少10位/],
    ];
    for (const [args, pw, reason] of cases) {
      const r = userAdd(args, pw);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.out).toMatch(reason);
    }
  });
});
