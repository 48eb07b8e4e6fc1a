import type { Services } from '../../services.js';
import type { Redis } from '../../store/redis.js';
import { FeedbackTargetMissing } from '../../topics/service.js';

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

const FEEDBACK = /^(有用|很有用|有帮助|没用|没有用|没帮助|没有帮助|无用)[。！!.～~]*$/;

/** Whether a message is a vote, and which way; undefined for anything else. */
export function parseFeedback(text: string): { helpful: boolean } | undefined {
  return FEEDBACK.test(text) ? { helpful: !/^(没|无)/.test(text) } : undefined;
}

export interface LastAnswer {
  question: string;
  turn: number;
  docId?: string;
}

/** A vote only counts for an answer given in the last half hour. */
const LAST_ANSWER_TTL_SECONDS = 30 * 60;

/** The answer a session may still vote on, in Redis; taking it makes a vote count once. */
export function createLastAnswerStore(redis: Redis, prefix: string) {
  const key = (sessionId: string) => `${prefix}wechat:last-answer:${sessionId}`;
  return {
    async remember(sessionId: string, a: LastAnswer) {
      await redis.set(key(sessionId), JSON.stringify(a), 'EX', LAST_ANSWER_TTL_SECONDS);
    },
    async forget(sessionId: string) {
      await redis.del(key(sessionId));
    },
    async take(sessionId: string): Promise<LastAnswer | undefined> {
      // GET+DEL in one transaction (GETDEL needs Redis 6.2).
      const res = await redis.multi().get(key(sessionId)).del(key(sessionId)).exec();
      const raw = res?.[0]?.[1];
      return typeof raw === 'string' ? (JSON.parse(raw) as LastAnswer) : undefined;
    },
  };
}
export type LastAnswerStore = ReturnType<typeof createLastAnswerStore>;
