/**
 * Create (or, with --force, replace) a panel user.
 *
 *   npm run user:add -- --username zhang --role dept --dept hrss [--name 张三] [--force]
 *   echo 'a long password' | npm run user:add -- --username li --role agent
 *
 * The password comes from stdin (first line) or, on a terminal, from a hidden prompt. Uses
 * REDIS_URL / REDIS_PREFIX like the service; without REDIS_URL it opens the embedded Redis data
 * in DATA_DIR (run it while the service is stopped, or set REDIS_URL to the running Redis).
 */
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { accountSchema, hashPassword, passwordSchema, USER_ROLES, usernameSchema, createRedisAccountStore } from '../src/auth/accounts.js';
import { createRedisUserSessionStore } from '../src/auth/session.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { parseServiceData } from '../src/services.js';
import { readServiceData } from '../src/node/service-data.js';
import { redisServerAvailable, startRedis } from '../src/node/redis-process.js';
import { createRedis } from '../src/store/redis.js';

const argsSchema = z.object({
  username: usernameSchema,
  role: z.enum(USER_ROLES),
  dept: z.string().optional(),
  name: z.string().min(1).max(40).optional(),
  force: z.boolean().default(false),
});

/** Bad arguments: thrown (not exited) so `finally` still stops the Redis this script started. */
class UsageError extends Error {}

function usage(msg: string): never {
  throw new UsageError(`${msg}\n用法: npm run user:add -- --username <名> --role agent|dept|admin [--dept <部门id>] [--name <显示名>] [--force]`);
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const ask = (prompt: string) =>
    new Promise<string>((res) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // Echo nothing while the password is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(prompt)) process.stdout.write(prompt);
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stdout.write('\n');
        res(answer);
      });
    });
  const a = await ask('密码: ');
  const b = await ask('再输一次: ');
  if (a !== b) usage('两次输入的密码不一致');
  return a;
}

async function main() {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' }, role: { type: 'string' }, dept: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' },
    },
    strict: true,
  });
  const args = argsSchema.safeParse(values);
  if (!args.success) usage(args.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  const a = args.data;

  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) usage(err.message);
    throw err;
  }
  const { directory } = parseServiceData(readServiceData(config));
  if (a.role === 'dept' && (!a.dept || !directory.get(a.dept))) {
    usage(`--dept 必须是部门目录中的 id：${directory.list.map((d) => d.id).join(', ')}`);
  }
  if (a.role !== 'dept' && a.dept) usage('只有 dept 角色绑定部门');

  const password = passwordSchema.safeParse(await readPassword());
  if (!password.success) usage(password.error.issues[0]!.message);

  let stop = async () => {};
  let url = config.REDIS_URL;
  if (!url) {
    if (!redisServerAvailable()) usage('未设置 REDIS_URL，且没有安装 redis-server');
    const proc = await startRedis({ dataDir: join(resolve(config.DATA_DIR), 'redis') });
    url = proc.url;
    stop = () => proc.stop();
  }
  const redis = createRedis(url);
  try {
    const accounts = createRedisAccountStore(redis, config.REDIS_PREFIX);
    const existing = await accounts.get(a.username);
    if (existing && !a.force) usage(`用户 ${a.username} 已存在；要重设密码或角色请加 --force`);
    const account = accountSchema.parse({
      username: a.username,
      role: a.role,
      ...(a.role === 'dept' ? { dept: a.dept } : {}),
      ...(a.name ? { displayName: a.name } : {}),
      passwordHash: await hashPassword(password.data),
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    });
    await accounts.put(account);
    // A replaced password or role must not leave old sessions signed in.
    if (existing) await createRedisUserSessionStore(redis, config.REDIS_PREFIX, () => new Date()).destroyAllOf(a.username);
    console.log(`${existing ? '已更新' : '已创建'}用户 ${account.username}（${account.role}${account.dept ? ` · ${account.dept}` : ''}）`);
  } finally {
    redis.disconnect();
    await stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof UsageError ? 2 : 1);
});
