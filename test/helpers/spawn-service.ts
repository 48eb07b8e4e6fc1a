import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { freePort, waitFor } from '../../src/node/free-port.js';
import { stopChild } from '../../src/node/meili-process.js';
import { INTENTS_DIR, KNOWLEDGE_DIR, ROOT, uniqueName } from './services.js';

export interface SpawnedService {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Start the real Node entry (`src/entry/node.ts`, what `npm start` runs) as a child process
 * against the test Meilisearch and Redis (or the URLs given in `env`), and wait for `/healthz`.
 * Each call gets its own port, data dir and — unless `env` says otherwise — its own index and
 * Redis prefix; pass the same REDIS_PREFIX/INDEX_NAME to two calls to get two processes of one
 * deployment.
 */
export async function spawnService(env: Record<string, string> = {}): Promise<SpawnedService> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'yhd-svc-'));
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'entry', 'node.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      MEILI_URL: inject('meiliUrl'),
      MEILI_MASTER_KEY: inject('meiliKey'),
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `${uniqueName('svc')}:`,
      INDEX_NAME: uniqueName('svc_passages'),
      KNOWLEDGE_DIR,
      INTENTS_DIR,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (buf: Buffer) => output.push(...buf.toString().split('\n').filter((l) => l.trim()));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`service exited during start-up:\n${output.slice(-20).join('\n')}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      60_000,
      'the spawned service to answer /healthz',
    );
  } catch (err) {
    await stopChild(child, 1000);
    if (err instanceof Error) err.message += `\n--- service output ---\n${output.slice(-30).join('\n')}`;
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    child,
    output,
    async stop() {
      await stopChild(child, 5000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
