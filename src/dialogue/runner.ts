import { maskPersonalData } from '../privacy/mask.js';
import type { Services } from '../services.js';
import { turnLogInput } from '../topics/types.js';
import { handleTurn, type CaseStatusView } from './engine.js';
import { TEXT, TYPE_LABEL } from './replies.js';
import { newState, type CaseDraft, type Channel, type Reply, type TurnResult } from './types.js';

export interface TurnInput {
  sessionId: string;
  channel: Channel;
  citizenRef: string;
  message: string;
}

/** What the dialogue needs from the case system (implemented over `services.cases`). */
export interface CaseGateway {
  create(
    draft: CaseDraft,
    ctx: { channel: Channel; citizenRef: string; sessionId: string; idempotencyKey: string },
  ): Promise<{ number: string; deadline?: string; departmentName?: string }>;
  lookup(number: string, citizenRef: string): Promise<CaseStatusView | undefined>;
}

function caseCreatedReply(draft: CaseDraft, c: { number: string; deadline?: string; departmentName?: string }): Reply {
  const dept = c.departmentName ?? '12345热线（分派责任部门）';
  const due = c.deadline ? `，办理时限为${c.deadline}前` : '';
  return {
    text: `已为您登记${TYPE_LABEL[draft.type]}工单，编号：${c.number}。承办单位：${dept}${due}。部门答复后会在这里通知您；您也可以随时发送工单编号查询进度。`,
    citations: [],
    caseNumber: c.number,
  };
}

/**
 * Run one turn for any channel: load the session, let the engine decide, carry out its
 * effects (create cases), save the session, log the question. Channels only translate to and
 * from their wire format.
 */
export async function runTurn(services: Services, input: TurnInput): Promise<TurnResult> {
  const state = (await services.sessions.get(input.sessionId)) ?? newState(input.sessionId, input.channel, input.citizenRef);
  const result = await handleTurn(services.dialogue, state, input.message);
  for (const effect of result.effects) {
    if (effect.kind !== 'create_case') continue;
    try {
      if (!services.caseGateway) throw new Error('case system not configured');
      const created = await services.caseGateway.create(effect.draft, {
        channel: input.channel,
        citizenRef: input.citizenRef,
        sessionId: input.sessionId,
        idempotencyKey: effect.idempotencyKey,
      });
      const reply = caseCreatedReply(effect.draft, created);
      result.replies.push(reply);
      result.state = {
        ...result.state,
        pending: undefined,
        cases: [...result.state.cases.filter((n) => n !== created.number), created.number].slice(-20),
        history: [...result.state.history, { role: 'bot' as const, text: reply.text }].slice(-12),
      };
    } catch (err) {
      // The draft stays pending in the session: the citizen can confirm again, nothing is lost.
      services.logger.error('case creation failed', { err, sessionId: input.sessionId });
      result.replies.push({ text: TEXT.caseFailed, citations: [], options: ['确认', '取消'] });
      result.action = 'confirm';
    }
  }
  // The session keeps what the citizen said only in masked form; a contact given for a case
  // lives in the pending draft until the case (which encrypts it) is stored.
  result.state = { ...result.state, history: result.state.history.map((h) => ({ ...h, text: maskPersonalData(h.text).text })) };
  await services.sessions.set(result.state);
  try {
    await services.topics.recordTurn(turnLogInput(input, result));
  } catch (err) {
    // The citizen still gets the answer; the failure is visible to operators.
    services.logger.error('question log write failed', { err, sessionId: input.sessionId });
  }
  return result;
}
