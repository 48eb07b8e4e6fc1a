import type { Message, Wechaty } from 'wechaty';
import { z } from 'zod';

/** Longest question we pass to the dialogue engine (same bound as the web chat). */
export const MAX_INBOUND_CHARS = 2000;

/** What to do with one incoming WeChat message, decided before any dialogue work. */
export type Triage =
  | { kind: 'ignore'; reason: 'self' | 'history' | 'official' | 'group_not_mentioned' | 'group_non_text' | 'system' }
  | { kind: 'non_text'; what: string; money: boolean }
  | { kind: 'text'; text: string };

/** Message text as we accept it: control characters dropped, WeChat's mention space normalised. */
export const inboundTextSchema = z
  .string()
  .transform((s) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200D\uFEFF]/g, '').replace(/\u2005/g, ' ').trim());

/** Names for the non-text kinds we reply to; kinds not listed (recalled, system, unknown) are ignored. */
function nonTextLabel(type: number, T: Wechaty['Message']['Type']): { what: string; money: boolean } | undefined {
  switch (type) {
    case T.Image: return { what: '图片', money: false };
    case T.Audio: return { what: '语音', money: false };
    case T.Video: return { what: '视频', money: false };
    case T.Attachment: return { what: '文件', money: false };
    case T.Emoticon: return { what: '表情', money: false };
    case T.Location: return { what: '位置信息', money: false };
    case T.MiniProgram: return { what: '小程序', money: false };
    case T.Url: return { what: '链接卡片', money: false };
    case T.Contact: return { what: '名片', money: false };
    case T.ChatHistory: return { what: '聊天记录', money: false };
    case T.Transfer: return { what: '转账', money: true };
    case T.RedEnvelope: return { what: '红包', money: true };
    default: return undefined;
  }
}

/** Strip any leftover "@<bot name>" a puppet did not resolve into a mention list. */
function stripSelfMention(text: string, selfName: string): string {
  if (!selfName) return text;
  const escaped = selfName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`@${escaped}(\\u2005|\\s|$)`, 'g'), ' ').trim();
}

/**
 * Decide whether and how to answer: ignore our own, official-account and pre-login (history
 * sync) messages; in groups only text that @-mentions the bot; private non-text gets a hint.
 */
export async function triage(bot: Wechaty, msg: Message, opts: { notBefore: number }): Promise<Triage> {
  if (msg.self()) return { kind: 'ignore', reason: 'self' };
  if (msg.date().getTime() < opts.notBefore) return { kind: 'ignore', reason: 'history' };
  const talker = msg.talker();
  // Official accounts (公众号) push articles and menus, not questions. WeCom (企业微信) users are
  // people, so they are answered.
  if (talker.type() === bot.Contact.Type.Official) return { kind: 'ignore', reason: 'official' };
  const T = bot.Message.Type;
  const room = msg.room();
  if (room) {
    if (msg.type() !== T.Text) return { kind: 'ignore', reason: 'group_non_text' };
    if (!(await msg.mentionSelf())) return { kind: 'ignore', reason: 'group_not_mentioned' };
    const text = inboundTextSchema.parse(await msg.mentionText());
    return { kind: 'text', text: stripSelfMention(text, bot.currentUser.name()) };
  }
  if (msg.type() === T.Text) return { kind: 'text', text: inboundTextSchema.parse(msg.text()) };
  const label = nonTextLabel(msg.type(), T);
  return label ? { kind: 'non_text', ...label } : { kind: 'ignore', reason: 'system' };
}
