import { join, resolve } from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import { ScanStatus, WechatyBuilder, log as wechatyLog, qrcodeValueToImageUrl, type Wechaty } from 'wechaty';
import { createYihaodaPlugin, type YihaodaBotPlugin, type YihaodaPluginOptions } from '../channels/wechat/plugin.js';
import { superviseBot, type SupervisorOptions } from '../channels/wechat/supervisor.js';
import type { Services } from '../services.js';

/** The puppet used when WECHATY_PUPPET is not set (Wechaty 1.x's own default). */
export const DEFAULT_PUPPET = 'wechaty-puppet-wechat4u';
const PUPPET_NAME = /^(@[a-z0-9-]+\/)?wechaty-puppet-[a-z0-9-]+$/;
const WECHATY_LOG_LEVEL = { debug: 'verbose', info: 'warn', warn: 'warn', error: 'error', silent: 'silent' } as const;

export interface WechatBot {
  bot: Wechaty;
  plugin: YihaodaBotPlugin;
  stop(): Promise<void>;
}

export interface StartWechatBotOptions {
  plugin?: YihaodaPluginOptions;
  supervisor?: Omit<SupervisorOptions, 'logger'>;
  /** Where the login QR code is drawn; default the terminal. */
  printQr?: (qrcode: string) => void;
}

/**
 * Build the bot with the puppet named in config, install the Yihaoda plugin, print the login QR
 * code (terminal + URL), log login/logout/errors, and keep it running (restarts on failure).
 * Usable from `npm run wechat` or, to run bot and web service in one process, from the Node entry.
 * @example const wechat = await startWechatBot(runtime.services); ...; await wechat.stop();
 */
export async function startWechatBot(services: Services, opts: StartWechatBotOptions = {}): Promise<WechatBot> {
  const { config, logger } = services;
  const puppet = config.WECHATY_PUPPET ?? DEFAULT_PUPPET;
  if (!PUPPET_NAME.test(puppet)) throw new Error(`WECHATY_PUPPET: "${puppet}" is not a Wechaty puppet package name (wechaty-puppet-*)`);
  const token = config.WECHATY_PUPPET_SERVICE_TOKEN;
  if (puppet === 'wechaty-puppet-service' && !token) {
    throw new Error('WECHATY_PUPPET_SERVICE_TOKEN: required with WECHATY_PUPPET=wechaty-puppet-service');
  }
  // Load the puppet package now: a missing one is a setup error to report, not a failure for
  // the supervisor to retry forever.
  try {
    await import(puppet);
  } catch (err) {
    throw new Error(`WECHATY_PUPPET: cannot load "${puppet}" (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); install it with: npm install ${puppet}`);
  }
  if (!config.WECHAT_REF_SECRET) {
    logger.warn('WECHAT_REF_SECRET is not set: citizen references are unkeyed SHA-256 of WeChat ids. Set a long random secret and keep it stable.');
  }

  // Wechaty's own (non-JSON) log on stderr: quiet unless we debug; our logger reports what matters.
  wechatyLog.level(WECHATY_LOG_LEVEL[config.LOG_LEVEL]);
  const bot = WechatyBuilder.build({
    // The memory card (login session, so a restart may not need a new scan) lives in DATA_DIR.
    name: join(resolve(config.DATA_DIR), 'wechaty-bot'),
    puppet: puppet as never,
    ...(token ? { puppetOptions: { token } } : {}),
  });
  const printQr = opts.printQr ?? ((qr: string) => qrcodeTerminal.generate(qr, { small: true }));

  bot.on('scan', (qrcode, status) => {
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      printQr(qrcode);
      logger.info('wechat: scan the QR code with the office WeChat account', {
        status: ScanStatus[status],
        qrcodeValue: qrcode,
        qrcodeImageUrl: qrcodeValueToImageUrl(qrcode),
      });
    } else {
      logger.info('wechat: scan status', { status: ScanStatus[status] });
    }
  });
  bot.on('login', (user) => logger.info('wechat: logged in', { account: user.name() }));
  bot.on('logout', (user, reason) => logger.warn('wechat: logged out', { account: user.name(), reason }));

  const plugin = createYihaodaPlugin(services, opts.plugin);
  bot.use(plugin);
  const supervisor = superviseBot(bot, { logger, ...opts.supervisor });
  logger.info('wechat: starting bot', { puppet });
  await supervisor.start();
  return {
    bot,
    plugin,
    async stop() {
      await supervisor.stop();
      await plugin.idle();
    },
  };
}
