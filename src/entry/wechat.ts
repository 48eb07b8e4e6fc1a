import { startCaseNotifierFor } from '../cases/wiring.js';
import { startNodeRuntime } from '../node/bootstrap.js';
import { configFromEnvOrExit } from '../node/config-env.js';
import { runMain, stopOnSignals } from '../node/process-lifecycle.js';
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

  stopOnSignals(logger, 'the WeChat bot', [
    ['bot', () => wechat.stop()],
    ['notifier', () => notifier.stop()],
    ['runtime', () => runtime.close()],
  ]);
}

runMain(main);
