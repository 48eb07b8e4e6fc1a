import type { Logger } from '../logger.js';

/**
 * On SIGINT/SIGTERM run `steps` once, in order (each failure logged, the rest still run), then
 * exit 0. Entries list what they started, newest first.
 */
export function stopOnSignals(logger: Logger, what: string, steps: Array<[name: string, stop: () => unknown]>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`shutting down ${what}`, { signal });
    for (const [name, stop] of steps) {
      try {
        await stop();
      } catch (err) {
        logger.error(`${name} stop failed`, { err });
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Run an entry's main; a start-up failure prints its message and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
