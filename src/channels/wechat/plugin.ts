import type { Contact, Message, Room, Wechaty, WechatyPlugin } from 'wechaty';
import { runTurn } from '../../dialogue/runner.js';
import type { TurnResult } from '../../dialogue/types.js';
import { createRedisRateLimiter, type RateLimiter, type RateLimitRule } from '../../ratelimit/rate-limiter.js';
import type { Services } from '../../services.js';
import { FeedbackTargetMissing } from '../../topics/service.js';
import { createCaseAnnouncer, type AnnounceOutcome, type CaseAnnouncement } from './announce.js';
import { createCaseEventAnnouncer, type CaseEventAnnouncerOptions } from './case-events.js';
import { createOutboxDelivery, type DeliveryOptions, type DeliveryOutcome } from './delivery.js';
import { DEFAULT_MAX_MESSAGE_CHARS, formatReply } from './format.js';
import { createRedisContactDirectory, createWechatIdentity, type ContactDirectory, type WechatIdentity } from './identity.js';
import { MAX_INBOUND_CHARS, triage } from './inbound.js';
import { createKeyedQueue } from './keyed-queue.js';
import { isLoggedIn, sendText } from './send.js';
import { WORDING } from './wording.js';

/** "有用"/"没用" on the answer just given, for the hot-topics question log. */
export interface AnswerFeedback {
  channel: 'wechat';
  sessionId: string;
  citizenRef: string;
  helpful: boolean;
  /** Dialogue turn of the answer (`DialogueState.turn` after it): what the question log keys on. */
  turn: number;
  /** The question that was answered. */
  question: string;
  docId?: string;
  at: Date;
}
export type FeedbackSink = (feedback: AnswerFeedback) => Promise<void>;

/**
 * Feedback into the hot-topics question log (`services.topics.feedback`) on the answer's turn.
 * A turn the log never saw (logging failed or is not wired) is logged as a warning: the
 * citizen is thanked either way.
 */
export function topicsFeedbackSink(services: Pick<Services, 'topics' | 'logger'>): FeedbackSink {
  return async (f) => {
    try {
      await services.topics.feedback({ sessionId: f.sessionId, turn: f.turn, useful: f.helpful });
    } catch (err) {
      if (err instanceof FeedbackTargetMissing) {
        services.logger.warn('wechat: feedback for a turn the question log does not have', { citizenRef: f.citizenRef, turn: f.turn });
        return;
      }
      throw err;
    }
  };
}

export type ErrorSink = (err: unknown, context: Record<string, unknown>) => void;

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
  /** The one error sink; default `services.logger.error`. */
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

const FEEDBACK = /^(有用|很有用|有帮助|没用|没有用|没帮助|没有帮助|无用)[。！!.～~]*$/;
const LAST_ANSWER_TTL_SECONDS = 30 * 60;

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
  const onError: ErrorSink = options.onError ?? ((err, ctx) => logger.error('wechat: handler failed', { err, ...ctx }));
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

  const lastAnswerKey = (sessionId: string) => `${prefix}wechat:last-answer:${sessionId}`;

  async function reply(to: Contact | Room, talker: Contact, text: string) {
    await sendText(to, text, maxChars, 'topic' in to ? talker : undefined);
  }

  /** Tell a throttled contact once per block, so the bot never floods a spammer back. */
  async function noticeRateLimited(citizenRef: string, retryAfterMs: number, to: Contact | Room, talker: Contact) {
    const first = await redis.set(`${prefix}wechat:rl-notice:${citizenRef}`, '1', 'PX', Math.max(1000, retryAfterMs), 'NX');
    if (first === 'OK') await reply(to, talker, WORDING.rateLimited(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }

  async function recordFeedback(sink: FeedbackSink, sessionId: string, citizenRef: string, text: string): Promise<boolean> {
    // GET+DEL in one transaction (GETDEL needs Redis 6.2): a vote counts once.
    const res = await redis.multi().get(lastAnswerKey(sessionId)).del(lastAnswerKey(sessionId)).exec();
    const raw = res?.[0]?.[1] as string | null | undefined;
    if (!raw) return false;
    const last = JSON.parse(raw) as { question: string; turn: number; docId?: string };
    await sink({
      channel: 'wechat', sessionId, citizenRef, helpful: !/^(没|无)/.test(text), turn: last.turn, question: last.question,
      ...(last.docId ? { docId: last.docId } : {}), at: services.clock.now(),
    });
    return true;
  }

  async function sendTurn(result: TurnResult, question: string, sessionId: string, to: Contact | Room, talker: Contact) {
    const answered = result.action === 'answer' && feedbackSink !== undefined;
    // In a group everyone reads along: when the engine asks for a phone number, say so.
    const pending = result.state.pending;
    const asksContactInGroup = 'topic' in to && pending?.kind === 'collect' && pending.asking === 'contact';
    for (const [i, r] of result.replies.entries()) {
      const last = i === result.replies.length - 1;
      const askFeedback = answered && last && r.citations.length > 0;
      const text = formatReply(r, { askFeedback });
      await reply(to, talker, asksContactInGroup && last ? `${text}\n\n${WORDING.groupContactPrivacy}` : text);
    }
    if (answered) {
      const docId = result.replies.find((r) => r.citations.length)?.citations[0]?.id;
      await redis.set(lastAnswerKey(sessionId), JSON.stringify({ question, turn: result.state.turn, docId }), 'EX', LAST_ANSWER_TTL_SECONDS);
    } else {
      await redis.del(lastAnswerKey(sessionId));
    }
  }

  async function handle(bot: Wechaty, msg: Message, loginAt: number) {
    const verdict = await triage(bot, msg, { notBefore: loginAt - tolerance });
    if (verdict.kind === 'ignore') return;
    const talker = msg.talker();
    const room = msg.room();
    const to: Contact | Room = room ?? talker;
    const citizenRef = await identity.citizenRef(talker.id);
    let stage = 'rate_limit';
    try {
      const limit = await limiter.check(`wechat:${citizenRef}`, rule);
      if (!limit.allowed) {
        logger.info('wechat: rate limited', { citizenRef, retryAfterMs: limit.retryAfterMs });
        await noticeRateLimited(citizenRef, limit.retryAfterMs, to, talker);
        return;
      }
      stage = 'remember_contact';
      await contacts.remember(citizenRef, { contactId: talker.id, ...(room ? { roomId: room.id } : {}) });
      if (verdict.kind === 'non_text') {
        await reply(to, talker, verdict.money ? WORDING.money : WORDING.nonText(verdict.what));
        return;
      }
      const text = verdict.text;
      if (!text) return reply(to, talker, WORDING.emptyMention);
      if (Array.from(text).length > MAX_INBOUND_CHARS) return reply(to, talker, WORDING.tooLong(MAX_INBOUND_CHARS));
      const sessionId = await identity.sessionId(talker.id, room?.id);
      stage = 'turn';
      if (feedbackSink && FEEDBACK.test(text) && (await recordFeedback(feedbackSink, sessionId, citizenRef, text))) {
        await reply(to, talker, WORDING.feedbackThanks(!/^(没|无)/.test(text)));
        return;
      }
      const result = await runTurn(services, { sessionId, channel: 'wechat', citizenRef, message: text });
      logger.info('wechat: turn', { citizenRef, intent: result.intent, action: result.action, group: Boolean(room) });
      stage = 'send';
      await sendTurn(result, text, sessionId, to, talker);
    } catch (err) {
      onError(err, { stage, citizenRef, group: Boolean(room) });
      await reply(to, talker, WORDING.apology).catch((e) => onError(e, { stage: 'apology', citizenRef }));
    }
  }

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
    bot.on('login', onLogin);
    bot.on('logout', onLogout);
    // A stopped bot emits no logout: stop polling Redis until the next login.
    bot.on('stop', onLogout);
    bot.on('message', onMessage);
    if (isLoggedIn(bot)) startLoops();
    return () => {
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
