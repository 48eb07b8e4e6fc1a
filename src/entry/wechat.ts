import { startCaseNotifierFor } from '../cases/wiring.js';
import { startNodeRuntime } from '../node/bootstrap.js';
import { configFromEnvOrExit } from '../node/config-env.js';
import { startWechatBot } from '../node/wechat-bot.js';

async function main() {
  const config = configFromEnvOrExit();
  const runtime = await startNodeRuntime(config);
  const { services } = runtime;
  const { logger } = services;
  if (!config.REDIS_URL) {
    logger.warn(
      'REDIS_URL is not set: the bot uses its own embedded Redis, so cases and department replies of a separately running web service will not reach it. Point both at one REDIS_URL (and MEILI_URL).',
    );
  }
  // Department replies travel case events -> citizen outbox -> this bot. The notifier is safe to
  // run in several processes (consumer groups, idempotent enqueue), so the bot runs one too.
  const notifier = startCaseNotifierFor(services);
  const wechat = await startWechatBot(services);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down the WeChat bot', { signal });
    await wechat.stop().catch((err) => logger.error('bot stop failed', { err }));
    await notifier.stop().catch((err) => logger.error('notifier stop failed', { err }));
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
