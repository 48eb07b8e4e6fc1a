import type { Action, Channel, Reply, TurnResult } from '../dialogue/types.js';
import type { PersonalDataKind } from '../privacy/mask.js';

/** What happened to a citizen's message. */
export type Outcome = 'answered' | 'clarified' | 'escalated' | 'failed' | 'other';
export const OUTCOMES: Outcome[] = ['answered', 'clarified', 'escalated', 'failed', 'other'];

/** Where a logged message came from: a live channel, or an import/replay of older messages. */
export type LogChannel = Channel | 'import';

/** Channels on which a citizen can be reached later (the outbox delivers there). */
export const NOTIFIABLE_CHANNELS: ReadonlySet<LogChannel> = new Set<LogChannel>(['web', 'wechat']);

/**
 * One incoming message as the dialogue runner hands it to the log. The raw `message` is masked
 * inside `recordTurn`; callers never need to mask first.
 */
export interface TurnLogInput {
  sessionId: string;
  /** Turn number within the session (DialogueState.turn after the turn): the idempotency key. */
  turn: number;
  channel: LogChannel;
  /** Pseudonymous citizen reference (as in DialogueState.citizenRef). */
  citizenRef: string;
  message: string;
  /** A title, when the source has one (message boards). */
  title?: string;
  /** When it was received; default: the service clock. */
  at?: Date | string;
  intent?: string;
  action?: Action;
  retrieved?: Array<{ docId: string; passageId: string; score: number }>;
  department?: string;
  replies?: Reply[];
  /** Whether the message is a question/concern to group into topics (not "你好", "确认", a slot answer). */
  topical?: boolean;
  /** People who endorsed the message (message-board likes): count as sharing the concern. */
  likes?: number;
}

/** What is stored for one message (personal data already masked). */
export interface LogEntry {
  logId: string;
  at: string;
  channel: LogChannel;
  /** Pseudonymous asker reference, needed to notify them later; deleted with the entry. */
  citizenRef: string;
  text: string;
  title?: string;
  masked: PersonalDataKind[];
  intent?: string;
  action?: Action;
  outcome: Outcome;
  department?: string;
  retrieved: Array<{ docId: string; passageId: string; score: number }>;
  /** Documents shown to the citizen (citations), or the candidates offered in a clarification. */
  docs: string[];
  reply?: string;
  topicId?: string;
  likes: number;
  feedback?: 'up' | 'down';
}

/** Map the engine's action to the log's outcome. */
export function outcomeOf(action: Action | undefined): Outcome {
  switch (action) {
    case 'answer':
      return 'answered';
    case 'clarify':
      return 'clarified';
    case 'collect':
    case 'confirm':
    case 'case_created':
    case 'handoff':
      return 'escalated';
    // Suggestions are offered when the search is not sure: unanswered until the citizen picks one
    // (that pick is logged as its own answered turn).
    case 'choices':
    case 'fallback_rephrase':
    case 'fallback_offer':
    case 'unavailable':
      return 'failed';
    default:
      return 'other';
  }
}

const QUESTION_ACTIONS = new Set<Action>(['answer', 'clarify', 'choices', 'fallback_rephrase', 'fallback_offer', 'unavailable', 'handoff']);

/**
 * Build the log input from a finished turn, for the dialogue runner:
 * `await services.topics.recordTurn(turnLogInput(input, result))`.
 * A turn counts as topical when it was a question, or when it is the message that described a
 * complaint/request being collected (not a slot answer such as a time or "确认").
 */
export function turnLogInput(
  input: { sessionId: string; channel: LogChannel; citizenRef: string; message: string },
  result: Pick<TurnResult, 'intent' | 'action' | 'retrieved' | 'department' | 'replies' | 'state'>,
): TurnLogInput {
  const pending = result.state.pending;
  const describes = pending?.kind === 'collect' && pending.draft.details.what?.trim() === input.message.trim();
  return {
    sessionId: input.sessionId,
    turn: result.state.turn,
    channel: input.channel,
    citizenRef: input.citizenRef,
    message: input.message,
    intent: result.intent,
    action: result.action,
    retrieved: result.retrieved,
    department: result.department,
    replies: result.replies,
    topical: QUESTION_ACTIONS.has(result.action) || Boolean(describes && result.action !== 'case_created'),
  };
}
