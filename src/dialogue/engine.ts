import type { Retriever } from '../retrieval/types.js';
import { citationOf, type DialogueState, type Intent, type Reply, type TurnResult } from './types.js';

export interface Classification {
  intent: Intent;
  confidence: number;
}

/** Read-only collaborators the engine consults; it performs no writes itself. */
export interface DialogueDeps {
  classify(text: string): Classification;
  retriever: Retriever;
  now(): Date;
}

const MIN_CONFIDENCE = 0.35;

function formatAnswer(r: Awaited<ReturnType<Retriever['search']>>['hits'][number]): string {
  const p = r.passage;
  const source = `《${p.title}》${p.docNo ? `（${p.docNo}）` : ''}${p.section ? p.section : ''}`;
  return `根据${source}：${r.answer}`;
}

/**
 * Handle one citizen turn: classify, answer or ask, and return replies plus effects.
 * Pure apart from the read-only `deps`.
 */
export async function handleTurn(deps: DialogueDeps, state: DialogueState, message: string): Promise<TurnResult> {
  const next: DialogueState = { ...state, turn: state.turn + 1, history: [...state.history, { role: 'user' as const, text: message }].slice(-12) };
  const { intent } = deps.classify(message);
  const result = await deps.retriever.search(message, { limit: 3 });
  const top = result.hits[0];
  let reply: Reply;
  if (!top || result.confidence < MIN_CONFIDENCE) {
    reply = {
      text: '抱歉，我在现有政策文件中没有找到能准确回答这个问题的内容。您可以换个说法再问，或拨打12345政务服务便民热线咨询人工客服。',
      citations: [],
      confidence: result.confidence,
    };
    next.misses = state.misses + 1;
  } else {
    reply = { text: formatAnswer(top), citations: [citationOf(top.passage)], confidence: result.confidence };
    next.misses = 0;
    next.topic = { query: message, docId: top.passage.docId, title: top.passage.title };
  }
  next.history = [...next.history, { role: 'bot' as const, text: reply.text }].slice(-12);
  return {
    replies: [reply],
    effects: [],
    state: next,
    intent,
    action: reply.citations.length ? 'answer' : 'fallback_rephrase',
    retrieved: result.hits.map((h) => ({ docId: h.passage.docId, passageId: h.passage.id, score: h.score })),
  };
}
