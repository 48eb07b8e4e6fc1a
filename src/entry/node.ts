import { serve } from '@hono/node-server';
import { createApp } from '../app.js';
import { startCaseNotifierFor } from '../cases/wiring.js';
import { startNodeRuntime } from '../node/bootstrap.js';
import { configFromEnvOrExit } from '../node/config-env.js';
import { nodeServerOptions } from '../node/http-server-options.js';

async function main() {
  const config = configFromEnvOrExit();
  const runtime = await startNodeRuntime(config);
  const { logger } = runtime.services;
  const app = createApp(runtime.services);
  // Department webhooks and citizen replies from the case events stream (at-least-once).
  const caseNotifier = startCaseNotifierFor(runtime.services);
  const server = serve(
    { fetch: app.fetch, port: config.PORT, hostname: config.HOST, serverOptions: nodeServerOptions(config) },
    (info) => {
      logger.info(`一号答 listening on http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}/`);
    },
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    server.close();
    await caseNotifier.stop();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
