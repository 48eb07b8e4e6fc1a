import type { Message, Wechaty, WechatyPlugin } from 'wechaty';
import { createRedisRateLimiter, type RateLimiter, type RateLimitRule } from '../../ratelimit/rate-limiter.js';
import type { Services } from '../../services.js';
import { createCaseAnnouncer, type AnnounceOutcome, type CaseAnnouncement } from './announce.js';
import { createCaseEventAnnouncer, type CaseEventAnnouncerOptions } from './case-events.js';
import { createOutboxDelivery, type DeliveryOptions, type DeliveryOutcome } from './delivery.js';
import { createMessageHandler, type ErrorSink } from './conversation.js';
import { createLastAnswerStore, topicsFeedbackSink, type FeedbackSink } from './feedback.js';
import { DEFAULT_MAX_MESSAGE_CHARS } from './format.js';
import { createRedisContactDirectory, createWechatIdentity, type ContactDirectory, type WechatIdentity } from './identity.js';
import { createKeyedQueue } from './keyed-queue.js';
import { isLoggedIn } from './send.js';

export { topicsFeedbackSink, type AnswerFeedback, type FeedbackSink } from './feedback.js';
export type { ErrorSink } from './conversation.js';

export interface YihaodaPluginOptions {
  /** Pseudonymisation of WeChat ids; default HMAC with `WECHAT_REF_SECRET`. */
  identity?: WechatIdentity;
  /** Per-contact limit; default `WECHAT_RATE_PER_MINUTE` per 60 s. */
  rateLimit?: RateLimitRule;
  limiter?: RateLimiter;
  /** Longest single WeChat message we send; longer texts are split. */
  maxMessageChars?: number;
  /** Messages dated earlier than login minus this are history sync and not answered. */
  historyToleranceMs?: number;
  /** Outbox consumer settings, or `false` to not deliver late messages from this bot. */
  delivery?: DeliveryOptions | false;
  /**
   * Follow the cases' event stream and announce dispatched/urged cases in department groups,
   * or `false` when another bot process does it.
   */
  caseAnnouncements?: CaseEventAnnouncerOptions | false;
  /**
   * Where "有用/没用" goes; default {@link topicsFeedbackSink}. `false`: the bot neither asks
   * for nor intercepts feedback.
   */
  feedback?: FeedbackSink | false;
  /** The one error sink (handler failures and Wechaty 'error' events); default `services.logger.error`. */
  onError?: ErrorSink;
  /** Wall clock for message ages (WeChat timestamps are real time even when tests fix the service clock). */
  wallClock?: () => number;
}

/** What the plugin exposes besides installing itself: for the entry, the cases side and tests. */
export interface YihaodaBotPlugin extends WechatyPlugin {
  /** Announce a new/urged case in its department's WeChat group; needs an installed, logged-in bot. */
  announceCase(a: CaseAnnouncement): Promise<AnnounceOutcome>;
  /** Deliver one batch of pending outbox messages now (the plugin also polls on its own). */
  deliverPending(): Promise<DeliveryOutcome[]>;
  /** Announce one batch of pending case events now (the plugin also polls on its own). */
  announcePending(): Promise<Array<AnnounceOutcome | 'skipped' | 'retry'>>;
  /** Resolves when every message handler started so far has finished (tests, graceful stop). */
  idle(): Promise<void>;
}

/**
 * The WeChat channel as a Wechaty plugin: every private text (and every group text that
 * @-mentions the bot) runs through the same dialogue runner as the web chat.
 * @example
 * const bot = WechatyBuilder.build({ puppet: 'wechaty-puppet-wechat4u' });
 * bot.use(createYihaodaPlugin(services));
 * await bot.start();
 */
export function createYihaodaPlugin(services: Services, options: YihaodaPluginOptions = {}): YihaodaBotPlugin {
  const { config, logger, redis } = services;
  const prefix = config.REDIS_PREFIX;
  const identity = options.identity ?? createWechatIdentity(config.WECHAT_REF_SECRET);
  const contacts: ContactDirectory = createRedisContactDirectory(redis, prefix);
  const limiter = options.limiter ?? createRedisRateLimiter(redis, { prefix, now: () => services.clock.now().getTime() });
  const rule = options.rateLimit ?? { limit: config.WECHAT_RATE_PER_MINUTE, windowMs: 60_000 };
  const maxChars = options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS;
  const tolerance = options.historyToleranceMs ?? 60_000;
  const wallClock = options.wallClock ?? (() => Date.now());
  const onError: ErrorSink = options.onError ?? ((err, ctx) => logger.error('wechat: error', { err, ...ctx }));
  const feedbackSink: FeedbackSink | undefined = options.feedback === false ? undefined : (options.feedback ?? topicsFeedbackSink(services));
  const queue = createKeyedQueue();
  const inFlight = new Set<Promise<void>>();
  let installed:
    | {
        bot: Wechaty;
        loginAt: number;
        delivery?: ReturnType<typeof createOutboxDelivery>;
        announcer?: ReturnType<typeof createCaseEventAnnouncer>;
      }
    | undefined;

  const handle = createMessageHandler({
    services, identity, contacts, limiter, rule, maxChars, historyToleranceMs: tolerance, onError,
    ...(feedbackSink ? { feedback: feedbackSink } : {}),
    lastAnswers: createLastAnswerStore(redis, prefix),
  });

  function track(p: Promise<void>) {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  const plugin = ((bot: Wechaty) => {
    const state = { bot, loginAt: isLoggedIn(bot) ? wallClock() : Number.POSITIVE_INFINITY } as NonNullable<typeof installed>;
    if (options.delivery !== false) {
      state.delivery = createOutboxDelivery(bot, services, contacts, { ...(options.delivery || {}), maxChars, onError });
    }
    if (options.caseAnnouncements !== false) {
      const announce = createCaseAnnouncer(bot, services, { maxChars });
      state.announcer = createCaseEventAnnouncer(bot, services, announce, { ...(options.caseAnnouncements || {}), onError });
      // Create the consumer group at install: cases dispatched while the bot logs in are not missed.
      state.announcer.ensureGroup().catch((err) => onError(err, { stage: 'announce_group' }));
    }
    installed = state;
    const startLoops = () => {
      state.delivery?.start();
      state.announcer?.start();
    };
    const onLogin = () => {
      state.loginAt = wallClock();
      startLoops();
    };
    const onLogout = () => {
      state.delivery?.stop();
      state.announcer?.stop();
    };
    const onMessage = (msg: Message) => {
      let conversation: string;
      try {
        // One queue per asker per chat (in memory only): their messages are handled strictly in
        // order, while other askers — and a spammer's backlog — never wait for each other.
        conversation = `${msg.talker().id}\u0000${msg.room()?.id ?? ''}`;
      } catch (err) {
        onError(err, { stage: 'triage' });
        return;
      }
      track(
        queue.run(conversation, () => handle(bot, msg, state.loginAt)).catch((err) => {
          // triage itself failed (puppet could not load the talker, etc.): log, never crash.
          onError(err, { stage: 'triage' });
        }),
      );
    };
    // Wechaty re-emits puppet failures as 'error'; an EventEmitter with no 'error' listener
    // throws, so the plugin always listens and sends them to the one error sink.
    const onBotError = (err: unknown) => onError(err, { stage: 'wechaty' });
    bot.on('error', onBotError);
    bot.on('login', onLogin);
    bot.on('logout', onLogout);
    // A stopped bot emits no logout: stop polling Redis until the next login.
    bot.on('stop', onLogout);
    bot.on('message', onMessage);
    if (isLoggedIn(bot)) startLoops();
    return () => {
      bot.off('error', onBotError);
      bot.off('login', onLogin);
      bot.off('logout', onLogout);
      bot.off('stop', onLogout);
      bot.off('message', onMessage);
      onLogout();
      if (installed === state) installed = undefined;
    };
  }) as YihaodaBotPlugin;

  plugin.announceCase = async (a) => {
    if (!installed) throw new Error('the Yihaoda plugin is not installed on a bot');
    return createCaseAnnouncer(installed.bot, services, { maxChars })(a);
  };
  plugin.deliverPending = async () => {
    if (!installed?.delivery) throw new Error('outbox delivery is not enabled on an installed bot');
    return installed.delivery.deliverBatch();
  };
  plugin.announcePending = async () => {
    if (!installed?.announcer) throw new Error('case announcements are not enabled on an installed bot');
    return installed.announcer.announceBatch();
  };
  plugin.idle = async () => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };
  return plugin;
}
