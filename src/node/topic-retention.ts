import type { Services } from '../services.js';

/** How often old question-log data is deleted. */
export const PRUNE_INTERVAL_MS = 6 * 3_600_000;

/**
 * Run `services.topics.prune()` shortly after start and then every few hours, so entries older
 * than LOG_RETENTION_DAYS disappear without a cron job. Timers are unref'd: they never keep the
 * process alive. Several processes may prune at once; deletions are idempotent.
 */
export function startTopicRetention(services: Services, opts: { intervalMs?: number; firstDelayMs?: number } = {}) {
  const run = async () => {
    try {
      const r = await services.topics.prune();
      if (r.logs || r.days || r.topics) services.logger.info('question log pruned', { ...r, retentionDays: services.config.LOG_RETENTION_DAYS });
    } catch (err) {
      services.logger.error('question log prune failed', { err });
    }
  };
  const first = setTimeout(() => void run(), opts.firstDelayMs ?? 60_000);
  const every = setInterval(() => void run(), opts.intervalMs ?? PRUNE_INTERVAL_MS);
  first.unref();
  every.unref();
  return {
    run,
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
