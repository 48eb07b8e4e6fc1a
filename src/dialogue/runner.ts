import type { Services } from '../services.js';
import { handleTurn } from './engine.js';
import { newState, type Channel, type TurnResult } from './types.js';

export interface TurnInput {
  sessionId: string;
  channel: Channel;
  citizenRef: string;
  message: string;
}

/**
 * Run one turn for any channel: load the session, let the engine decide, carry out its
 * effects, save the session. Channels only translate to and from their wire format.
 */
export async function runTurn(services: Services, input: TurnInput): Promise<TurnResult> {
  const state = (await services.sessions.get(input.sessionId)) ?? newState(input.sessionId, input.channel, input.citizenRef);
  const result = await handleTurn(services.dialogue, state, input.message);
  await services.sessions.set(result.state);
  return result;
}
