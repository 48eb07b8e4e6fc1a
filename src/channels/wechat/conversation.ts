import type { Contact, Message, Room, Wechaty } from 'wechaty';
import { runTurn } from '../../dialogue/runner.js';
import type { TurnResult } from '../../dialogue/types.js';
import type { RateLimiter, RateLimitRule } from '../../ratelimit/rate-limiter.js';
import type { Services } from '../../services.js';
import { parseFeedback, type FeedbackSink, type LastAnswerStore } from './feedback.js';
import { formatReply } from './format.js';
import type { ContactDirectory, WechatIdentity } from './identity.js';
import { MAX_INBOUND_CHARS, triage } from './inbound.js';
import { sendText } from './send.js';
import { WORDING } from './wording.js';

export type ErrorSink = (err: unknown, context: Record<string, unknown>) => void;

export interface ConversationDeps {
  services: Services;
  identity: WechatIdentity;
  contacts: ContactDirectory;
  limiter: RateLimiter;
  rule: RateLimitRule;
  maxChars: number;
  historyToleranceMs: number;
  onError: ErrorSink;
  feedback?: FeedbackSink;
  lastAnswers: LastAnswerStore;
}

/**
 * Handling of one incoming message, start to finish: triage, rate limit, contact mapping,
 * feedback, the dialogue turn, and the WeChat-formatted reply. Never throws past the triage:
 * failures go to the error sink and the citizen gets an apology.
 */
export function createMessageHandler(deps: ConversationDeps) {
  const { services, identity, contacts, limiter, rule, maxChars, onError, lastAnswers } = deps;
  const { logger, redis, config } = services;

  async function reply(to: Contact | Room, talker: Contact, text: string) {
    await sendText(to, text, maxChars, 'topic' in to ? talker : undefined);
  }

  /** Tell a throttled contact once per block, so the bot never floods a spammer back. */
  async function noticeRateLimited(citizenRef: string, retryAfterMs: number, to: Contact | Room, talker: Contact) {
    const first = await redis.set(`${config.REDIS_PREFIX}wechat:rl-notice:${citizenRef}`, '1', 'PX', Math.max(1000, retryAfterMs), 'NX');
    if (first === 'OK') await reply(to, talker, WORDING.rateLimited(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }

  /** Record a vote if the session has an answer to vote on; false means "not feedback, a normal turn". */
  async function tryFeedback(text: string, sessionId: string, citizenRef: string): Promise<boolean> {
    const vote = deps.feedback && parseFeedback(text);
    if (!vote) return false;
    const last = await lastAnswers.take(sessionId);
    if (!last) return false;
    await deps.feedback!({
      channel: 'wechat', sessionId, citizenRef, helpful: vote.helpful, turn: last.turn, question: last.question,
      ...(last.docId ? { docId: last.docId } : {}), at: services.clock.now(),
    });
    return true;
  }

  async function sendTurn(result: TurnResult, question: string, sessionId: string, to: Contact | Room, talker: Contact) {
    const answered = result.action === 'answer' && deps.feedback !== undefined;
    // In a group everyone reads along: when the engine asks for a phone number, say so.
    const pending = result.state.pending;
    const asksContactInGroup = 'topic' in to && pending?.kind === 'collect' && pending.asking === 'contact';
    for (const [i, r] of result.replies.entries()) {
      const last = i === result.replies.length - 1;
      const text = formatReply(r, { askFeedback: answered && last && r.citations.length > 0 });
      await reply(to, talker, asksContactInGroup && last ? `${text}\n\n${WORDING.groupContactPrivacy}` : text);
    }
    if (answered) {
      const docId = result.replies.find((r) => r.citations.length)?.citations[0]?.id;
      await lastAnswers.remember(sessionId, { question, turn: result.state.turn, ...(docId ? { docId } : {}) });
    } else {
      await lastAnswers.forget(sessionId);
    }
  }

  return async function handle(bot: Wechaty, msg: Message, loginAt: number): Promise<void> {
    const verdict = await triage(bot, msg, { notBefore: loginAt - deps.historyToleranceMs });
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
      if (verdict.kind === 'non_text') return await reply(to, talker, verdict.money ? WORDING.money : WORDING.nonText(verdict.what));
      const text = verdict.text;
      if (!text) return await reply(to, talker, WORDING.emptyMention);
      if (Array.from(text).length > MAX_INBOUND_CHARS) return await reply(to, talker, WORDING.tooLong(MAX_INBOUND_CHARS));
      const sessionId = await identity.sessionId(talker.id, room?.id);
      stage = 'turn';
      if (await tryFeedback(text, sessionId, citizenRef)) {
        return await reply(to, talker, WORDING.feedbackThanks(parseFeedback(text)!.helpful));
      }
      const result = await runTurn(services, { sessionId, channel: 'wechat', citizenRef, message: text });
      logger.info('wechat: turn', { citizenRef, intent: result.intent, action: result.action, group: Boolean(room) });
      stage = 'send';
      await sendTurn(result, text, sessionId, to, talker);
    } catch (err) {
      onError(err, { stage, citizenRef, group: Boolean(room) });
      await reply(to, talker, WORDING.apology).catch((e) => onError(e, { stage: 'apology', citizenRef }));
    }
  };
}
