import { Converter } from 'opencc-js/t2cn';

/**
 * Text normalisation shared by intents and routing: what differs only in spelling should look
 * the same to the classifiers. Traditional -> simplified (OpenCC), full-width -> half-width
 * (NFKC), lower case, regional/colloquial words -> standard ones, emoji variants -> one
 * representative per feeling, long digit runs (case and phone numbers) -> one placeholder.
 */

let toSimplified: ((s: string) => string) | undefined;

/** Dialect and internet spellings seen on the hotline, longest first when they overlap. */
const COLLOQUIAL: Array<[RegExp, string]> = [
  [/俺家|咱家/g, '我家'],
  [/俺们|咱们/g, '我们'],
  [/咋整|咋办|咋弄|咋个办|肿么办/g, '怎么办'],
  [/咋个|咋样|咋地|咋的/g, '怎么样'],
  [/咋|肿么|怎莫|怎摸/g, '怎么'],
  [/啥子|神马|什莫|啥/g, '什么'],
  [/中不中|中不|行不中/g, '行不行'],
  [/木有|没得|冇/g, '没有'],
  [/晓得/g, '知道'],
  [/俺|咱/g, '我'],
  [/恁/g, '你们'],
  [/好滴|好哒|好嘞|好咧|好叻/g, '好的'],
  [/嘞|咧|哩/g, '了'],
  [/谢谢啦|谢啦|多谢啦|\b(?:3q|thx|thanks|thank you)\b/g, '谢谢'],
  [/拜拜|\b(?:bye bye|byebye|bye)\b/g, '再见'],
  [/哈喽|哈罗|哈啰|嗨|\b(?:hello|hi)\b/g, '你好'],
  [/蟹蟹/g, '谢谢'],
  // The bot itself, not a person: "你是人工智能吗" must not look like 转人工.
  [/人工智能|\bai\b/g, '机器人'],
  [/(在|有人)[嘛麽]/g, '$1吗'],
];

/** Emoji -> one representative per feeling, so unseen variants still count. */
const EMOJI_CLASSES: Array<[RegExp, string]> = [
  [/[😡🤬😠💢👿😤🖕]/gu, '😡'],
  [/[😭😢😞😔💔🥺😩😫😿]/gu, '😭'],
  [/[🙏]/gu, '🙏'],
  [/[👍👌🤝💯✌]/gu, '👍'],
  [/[🌹💐❤♥😘🥰💕💖💗]/gu, '❤'],
  [/[👋]/gu, '👋'],
  [/[😂🤣😄😁😀🙂😊☺😃😆]/gu, '😄'],
  [/[🤔❓❔]/gu, '🤔'],
];

/** Placeholder for a run of 6+ digits (case numbers, phone numbers). */
export const NUMBER_TOKEN = '№';

/**
 * Normalise citizen text for classification.
 * @example normalizeText('俺想問問咋辦證？？') === '我想问问怎么办证?'
 */
export function normalizeText(text: string): string {
  toSimplified ??= Converter({ from: 'tw', to: 'cn' });
  let s = text.normalize('NFKC').toLowerCase();
  s = s.replace(/[\u200b-\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}]/gu, '');
  s = toSimplified(s);
  for (const [re, to] of COLLOQUIAL) s = s.replace(re, to);
  for (const [re, to] of EMOJI_CLASSES) s = s.replace(re, to);
  s = s.replace(/\d{6,}/g, NUMBER_TOKEN);
  // Northern yes/no questions end in 不/没 (能上学不？有补贴没？): the same as 吗.
  s = s.replace(/([^不没])[不没]([?!。,.]*)$/u, '$1吗$2');
  // A final 么 is a typed 吗 (能办么？), except in 什么/怎么/那么/这么/多么/要么. OpenCC
  // turns a 么 it cannot place in a phrase into 幺, so look for both.
  s = s.replace(/([^什怎那这多要])[么幺]([?!。,.]*)$/u, '$1吗$2');
  s = s.replace(/([?!。，,.~…])\1+/g, '$1').replace(/\s+/g, ' ').trim();
  // Chat shorthand for goodbye (88, 886), only as a whole message: other numbers stay numbers.
  s = s.replace(/^8{2,}6?([!~.。]*)$/u, '再见$1');
  return s;
}
