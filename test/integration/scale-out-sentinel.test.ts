import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../src/node/free-port.js';
import { stopChild } from '../../src/node/meili-process.js';
import { startRedis, type RedisProcess } from '../../src/node/redis-process.js';
import { createSentinelRedis } from '../../src/store/redis-sentinel.js';
import { createRedis, type Redis } from '../../src/store/redis.js';
import { uniqueName } from '../helpers/services.js';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.js';

/**
 * Redis high availability as the operations guide describes it: a primary, a replica and a
 * Sentinel; the real service started with REDIS_SENTINELS. The primary is SIGKILLed under case
 * creation traffic: the Sentinel promotes the replica, the service follows it without a restart,
 * retried requests (same Idempotency-Key) make no duplicate, and acknowledged cases are on the
 * new primary.
 */
const dir = mkdtempSync(join(tmpdir(), 'yhd-sentinel-'));
const token = `yhd_${randomBytes(24).toString('base64url')}`;
const procs: ChildProcess[] = [];
let primary: RedisProcess;
let replicaPort: number;
let sentinelPort: number;
let svc: SpawnedService;
let client: Redis;
const prefix = `${uniqueName('sentinel')}:`;

function redisServer(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(child);
  return child;
}

async function info(port: number, section: string): Promise<string> {
  const c = createRedis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => undefined); // a refused connection is an answer here
  try {
    return await c.info(section);
  } finally {
    c.disconnect();
  }
}

beforeAll(async () => {
  const primaryPort = await freePort();
  replicaPort = await freePort();
  sentinelPort = await freePort();
  primary = await startRedis({ dataDir: join(dir, 'primary'), port: primaryPort });
  mkdirSync(join(dir, 'replica'));
  redisServer(['--port', String(replicaPort), '--bind', '127.0.0.1', '--dir', join(dir, 'replica'), '--appendonly', 'yes', '--save', '', '--replicaof', '127.0.0.1', String(primaryPort)]);
  await waitFor(async () => (await info(replicaPort, 'replication')).includes('master_link_status:up'), 15_000, 'the replica to sync');
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${primaryPort} 1`,
      'sentinel down-after-milliseconds mymaster 1000',
      'sentinel failover-timeout mymaster 5000',
      '',
    ].join('\n'),
  );
  redisServer([conf, '--sentinel']);
  await waitFor(async () => (await info(sentinelPort, 'sentinel')).includes('status=ok'), 15_000, 'the sentinel to watch the primary');
  svc = await spawnService({
    REDIS_URL: '',
    REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
    REDIS_SENTINEL_NAME: 'mymaster',
    REDIS_PREFIX: prefix,
    AGENT_TOKENS: `ops:${createHash('sha256').update(token).digest('hex')}`,
    CASE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  });
  client = createSentinelRedis({ sentinels: `127.0.0.1:${sentinelPort}`, name: 'mymaster' });
  client.on('error', () => undefined); // reconnects are expected during the failover
}, 120_000);

afterAll(async () => {
  client?.disconnect();
  await svc?.stop();
  await primary?.stop();
  await Promise.all(procs.map((p) => stopChild(p, 2000)));
  rmSync(dir, { recursive: true, force: true });
});

async function createCase(key: string): Promise<string> {
  const res = await fetch(`${svc.url}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
    body: JSON.stringify({ type: 'help', summary: `哨兵测试 ${key}` }),
  });
  const body = (await res.json()) as { case?: { number: string } };
  if (res.status !== 201 && res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return body.case!.number;
}

describe('Redis Sentinel failover under the running service', () => {
  it('follows the promoted replica; acknowledged cases survive, retries make no duplicates', async () => {
    const acked = new Map<string, string>();
    const failed = new Set<string>();
    let killedAt = 0;
    let ackedAfterKill = 0;
    let running = true;
    let n = 0;
    const workers = Array.from({ length: 3 }, async () => {
      while (running) {
        const key = `sentinel-case-${n++}`;
        try {
          acked.set(key, await createCase(key));
          if (killedAt && Date.now() > killedAt) ackedAfterKill++;
        } catch {
          failed.add(key);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    killedAt = Date.now();
    await primary.kill();
    await waitFor(async () => ackedAfterKill >= 10, 30_000, 'case creation to resume on the promoted replica');
    running = false;
    await Promise.all(workers);
    const outage = Date.now() - killedAt;

    // The replica is the primary now, and the service is talking to it.
    expect(await info(replicaPort, 'replication')).toContain('role:master');
    const before = new Map(acked);
    for (const key of failed) acked.set(key, await createCase(key));
    for (const [key, number] of before) expect(acked.get(key), key).toBe(number);

    const numbers = [...acked.values()];
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const number of before.values()) expect(await client.exists(`${prefix}case:${number}`), number).toBe(1);
    console.info(`sentinel failover: ${before.size} cases acknowledged, ${failed.size} failed and retried, writes resumed ${outage} ms after the kill`);
  });
});
