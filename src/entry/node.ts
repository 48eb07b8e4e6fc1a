import { serve } from '@hono/node-server';
import { createApp } from '../app.js';
import { startCaseNotifierFor } from '../cases/wiring.js';
import { startNodeRuntime } from '../node/bootstrap.js';
import { configFromEnvOrExit } from '../node/config-env.js';
import { runMain, stopOnSignals } from '../node/process-lifecycle.js';
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
  stopOnSignals(logger, 'the service', [
    ['server', () => server.close()],
    ['case notifier', () => caseNotifier.stop()],
    ['runtime', () => runtime.close()],
  ]);
}

runMain(main);
