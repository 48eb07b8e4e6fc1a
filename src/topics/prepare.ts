import { maskPersonalData } from '../privacy/mask.js';
import { lshBands, minhash, stableId, textFeatures } from './features.js';
import { dayNumber, dayOf, parseLocalTime } from './keys.js';
import type { PreparedMessage } from './pipeline.js';
import { NOTIFIABLE_CHANNELS, outcomeOf, type LogEntry, type TurnLogInput } from './types.js';

/** The log id of a session turn: stable, so a retried turn is recognised, and not the session id itself. */
export function logIdOf(sessionId: string, turn: number): string {
  return stableId(`${sessionId}#${turn}`);
}

const REPLY_CHARS = 300;
const SAMPLE_CHARS = 80;

/**
 * Mask and shape one incoming message for storage. Everything that leaves this function is
 * masked: the message, the title and the reply (which may echo what the citizen typed).
 */
export function prepareMessage(input: TurnLogInput, now: Date): PreparedMessage {
  const ms = input.at === undefined ? now.getTime() : parseLocalTime(input.at);
  if (!Number.isFinite(ms)) throw new Error(`invalid time: ${String(input.at)}`);
  const day = dayOf(ms);
  const text = maskPersonalData(input.message);
  const title = input.title ? maskPersonalData(input.title) : undefined;
  const firstReply = input.replies?.[0]?.text;
  const reply = firstReply ? maskPersonalData(firstReply.slice(0, REPLY_CHARS)).text : undefined;
  const citations = (input.replies ?? []).flatMap((r) => r.citations);
  const cited = [...new Set(citations.map((c) => c.id))];
  const outcome = outcomeOf(input.action);
  // Documents "matched" by the question: what was cited, or what a clarification offered.
  const docs =
    cited.length > 0
      ? cited
      : outcome === 'clarified'
        ? [...new Set((input.retrieved ?? []).map((r) => r.docId))].slice(0, 3)
        : [];
  const logId = logIdOf(input.sessionId, input.turn);
  const entry: LogEntry = {
    logId,
    at: new Date(ms).toISOString(),
    channel: input.channel,
    citizenRef: input.citizenRef,
    text: text.text,
    ...(title ? { title: title.text } : {}),
    masked: [...new Set([...text.kinds, ...(title?.kinds ?? [])])],
    ...(input.intent ? { intent: input.intent } : {}),
    ...(input.action ? { action: input.action } : {}),
    outcome,
    ...(input.department ? { department: input.department } : {}),
    retrieved: (input.retrieved ?? []).slice(0, 5).map((r) => ({ docId: r.docId, passageId: r.passageId, score: Math.round(r.score * 1000) / 1000 })),
    docs,
    ...(reply ? { reply } : {}),
    likes: Math.max(0, Math.floor(input.likes ?? 0)),
  };
  const topical = input.topical ?? true;
  const sample = (title?.text || text.text).replace(/\s+/g, ' ').trim().slice(0, SAMPLE_CHARS);
  const f = topical && sample ? textFeatures(text.text, title?.text) : undefined;
  const features = f ? { features: f, bands: lshBands(minhash(f.flat)) } : {};
  return {
    entry,
    ms,
    day,
    dayNum: dayNumber(day),
    sessionId: input.sessionId,
    ...features,
    notifiable: NOTIFIABLE_CHANNELS.has(input.channel),
    sample,
    docTitles: citations.map((c) => [c.id, c.title] as [string, string]),
  };
}
