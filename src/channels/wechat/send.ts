import type { Contact, Room, Wechaty } from 'wechaty';
import { splitMessage } from './format.js';

/**
 * Send a long text as ordered parts. In a group the first part @-mentions `mention`
 * (one notification per answer, not one per part).
 */
export async function sendText(to: Contact | Room, text: string, maxChars: number, mention?: Contact): Promise<number> {
  const parts = splitMessage(text, maxChars);
  for (const [i, part] of parts.entries()) {
    if ('topic' in to && mention && i === 0) await to.say(part, mention);
    else await to.say(part);
  }
  return parts.length;
}

/**
 * `bot.isLoggedIn` before the puppet exists (plugin installed before start) emits an 'error'
 * event; look for the puppet first so a normal start-up logs no error.
 */
export function isLoggedIn(bot: Wechaty): boolean {
  try {
    return bot.puppet.isLoggedIn;
  } catch {
    return false;
  }
}
