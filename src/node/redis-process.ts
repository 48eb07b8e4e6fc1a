import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, waitFor } from './free-port.js';
import { connect } from 'node:net';
import { stopChild } from './meili-process.js';

export interface RedisProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; for fault tests. */
  kill(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((res) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      res(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => res(false));
    sock.once('timeout', () => {
      sock.destroy();
      res(false);
    });
  });
}

/**
 * Spawn `redis-server` from PATH with AOF on (`appendfsync always` when `fsyncAlways`), data
 * under `dataDir`, bound to loopback.
 */
export async function startRedis(opts: { dataDir: string; port?: number; fsyncAlways?: boolean }): Promise<RedisProcess> {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', opts.fsyncAlways ? 'always' : 'everysec',
      '--save', '',
      '--protected-mode', 'yes',
      '--loglevel', 'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(
    async () => {
      if (exited) throw new Error('redis-server exited during start-up');
      return pingOnce(port);
    },
    15_000,
    'redis-server to answer PING',
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    stop: () => stopChild(child),
    kill: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGKILL');
      }),
  };
}
