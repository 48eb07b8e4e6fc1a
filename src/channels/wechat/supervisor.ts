import type { Logger } from '../../logger.js';

/** The part of a Wechaty bot the supervisor drives (a Wechaty instance satisfies it). */
export interface SupervisedBot {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly isLoggedIn: boolean;
  on(event: 'scan' | 'login' | 'logout' | 'error', listener: (...args: never[]) => void): unknown;
}

export interface SupervisorOptions {
  logger: Logger;
  /** Without a QR code or a login this long after a (re)start, the puppet is considered stuck. */
  stallMs?: number;
  /** How often the health check runs. */
  checkEveryMs?: number;
  /** Restart back-off: first delay, doubled per consecutive failure up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Keep a bot running: start it (retrying with back-off when start throws), and restart it when
 * the puppet goes quiet — logged out with no new QR code, or never reaching scan/login after a
 * start. Wechaty's own puppet watchdog handles a hung connection while logged in; this covers
 * what it does not: a failed start and a puppet that died outside a session.
 */
export function superviseBot(bot: SupervisedBot, opts: SupervisorOptions) {
  const { logger } = opts;
  const stallMs = opts.stallMs ?? 5 * 60_000;
  const checkEveryMs = opts.checkEveryMs ?? 30_000;
  const minDelay = opts.minDelayMs ?? 1000;
  const maxDelay = opts.maxDelayMs ?? 60_000;
  let lastSign = Date.now();
  let failures = 0;
  let stopped = false;
  let restarting: Promise<void> | undefined;
  let checker: ReturnType<typeof setInterval> | undefined;
  let restarts = 0;

  const alive = () => {
    lastSign = Date.now();
  };
  bot.on('scan', alive);
  bot.on('login', () => {
    alive();
    failures = 0;
  });
  bot.on('logout', alive);

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function startWithRetry() {
    while (!stopped) {
      try {
        await bot.start();
        alive();
        return;
      } catch (err) {
        failures++;
        const delay = Math.min(maxDelay, minDelay * 2 ** (failures - 1));
        logger.error('wechat: bot start failed, retrying', { err, attempt: failures, retryInMs: delay });
        await sleep(delay);
      }
    }
  }

  async function restart(reason: string) {
    if (restarting || stopped) return restarting;
    restarts++;
    failures++;
    const delay = Math.min(maxDelay, minDelay * 2 ** (failures - 1));
    logger.warn('wechat: restarting bot', { reason, restart: restarts, delayMs: delay });
    restarting = (async () => {
      try {
        await bot.stop();
      } catch (err) {
        logger.warn('wechat: stop before restart failed', { err });
      }
      await sleep(delay);
      await startWithRetry();
    })().finally(() => {
      restarting = undefined;
    });
    return restarting;
  }

  return {
    /** Start the bot and the health check; resolves once the first start succeeded. */
    async start() {
      stopped = false;
      await startWithRetry();
      checker = setInterval(() => {
        if (!bot.isLoggedIn && Date.now() - lastSign > stallMs) void restart('no QR code or login for too long');
      }, checkEveryMs);
    },
    async stop() {
      stopped = true;
      if (checker) clearInterval(checker);
      await restarting?.catch(() => undefined);
      await bot.stop();
    },
    /** Restarts done so far (for logs and tests). */
    get restarts() {
      return restarts;
    },
  };
}
