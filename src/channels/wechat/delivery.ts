import type { Wechaty } from 'wechaty';
import { z } from 'zod';
import type { CitizenMessage } from '../../notify/citizen-outbox.js';
import type { Services } from '../../services.js';
import type { ContactDirectory } from './identity.js';
import { isLoggedIn, sendText } from './send.js';
import { WORDING } from './wording.js';

export interface DeliveryOptions {
  /** Consumer group on the outbox's wechat stream. */
  group?: string;
  /**
   * Consumer name. Keep it stable across restarts: messages read but not acknowledged before
   * a crash are re-delivered to the same consumer name.
   */
  consumer?: string;
  pollMs?: number;
  /** Failed sends of one message before it is parked as undeliverable. */
  maxAttempts?: number;
}

const citizenMessageSchema = z.object({
  id: z.string().min(1),
  channel: z.literal('wechat'),
  citizenRef: z.string().regex(/^wechat:[0-9a-f]{32}$/),
  kind: z.enum(['case_reply', 'case_update', 'interpretation', 'notice']),
  text: z.string().min(1).max(20_000),
  caseNumber: z.string().max(64).optional(),
  url: z.url().optional(),
  at: z.string(),
});

/** A late message as WeChat text: heading by kind, case number, body, link. */
export function formatCitizenMessage(m: Pick<CitizenMessage, 'kind' | 'text' | 'caseNumber' | 'url'>): string {
  const head = `${WORDING.caseHeading[m.kind]}${m.caseNumber ? `工单编号：${m.caseNumber}` : ''}`;
  return [head, m.text.trim(), m.url ? `详情：${m.url}` : ''].filter(Boolean).join('\n');
}

export type DeliveryOutcome = 'sent' | 'retry' | 'undeliverable';

/**
 * Consume the citizen outbox's `wechat` stream and send each message to the citizen's
 * contact: privately, or — when they are not the bot's friend — in the group where they last
 * asked, @-mentioning them. Acknowledged only after sending (at-least-once); a message that
 * cannot be delivered (unknown contact, malformed, or failing `maxAttempts` times) is parked
 * in `<prefix>wechat:undeliverable` and acknowledged, so it holds back the messages behind it
 * for at most `maxAttempts` polls (unacknowledged messages are re-read before new ones).
 * It stays in the citizen's inbox stream either way.
 */
export function createOutboxDelivery(
  bot: Wechaty,
  services: Services,
  contacts: ContactDirectory,
  opts: DeliveryOptions & { maxChars: number; onError: (err: unknown, ctx: Record<string, unknown>) => void },
) {
  const group = opts.group ?? 'wechat-bot';
  const consumer = opts.consumer ?? 'bot';
  const pollMs = opts.pollMs ?? 1000;
  const maxAttempts = opts.maxAttempts ?? 5;
  const prefix = services.config.REDIS_PREFIX;
  const attemptsKey = `${prefix}wechat:delivery-attempts`;
  const parkedKey = `${prefix}wechat:undeliverable`;

  async function park(raw: CitizenMessage, reason: string) {
    services.logger.warn('wechat: message undeliverable', { messageId: raw.id, citizenRef: raw.citizenRef, caseNumber: raw.caseNumber, reason });
    await services.redis
      .multi()
      .lpush(parkedKey, JSON.stringify({ id: raw.id, citizenRef: raw.citizenRef, caseNumber: raw.caseNumber, kind: raw.kind, reason, at: services.clock.now().toISOString() }))
      .ltrim(parkedKey, 0, 999)
      .hdel(attemptsKey, raw.id)
      .exec();
    await services.outbox.ack('wechat', group, [raw.id]);
  }

  async function deliver(raw: CitizenMessage): Promise<DeliveryOutcome> {
    const parsed = citizenMessageSchema.safeParse(raw);
    if (!parsed.success) return park(raw, 'malformed').then(() => 'undeliverable' as const);
    const m = parsed.data;
    const route = await contacts.lookup(m.citizenRef);
    if (!route) return park(raw, 'unknown_contact').then(() => 'undeliverable' as const);
    try {
      const contact = await bot.Contact.find({ id: route.contactId });
      if (!contact) return await park(raw, 'contact_not_found').then(() => 'undeliverable' as const);
      const text = formatCitizenMessage(m);
      const room = contact.friend() === false && route.roomId ? await bot.Room.find({ id: route.roomId }) : undefined;
      await sendText(room ?? contact, text, opts.maxChars, room ? contact : undefined);
      await services.outbox.ack('wechat', group, [m.id]);
      await services.redis.hdel(attemptsKey, m.id);
      services.logger.info('wechat: delivered', { messageId: m.id, citizenRef: m.citizenRef, caseNumber: m.caseNumber, via: room ? 'group' : 'private' });
      return 'sent';
    } catch (err) {
      const attempts = await services.redis.hincrby(attemptsKey, m.id, 1);
      opts.onError(err, { stage: 'delivery', messageId: m.id, citizenRef: m.citizenRef, attempts });
      if (attempts >= maxAttempts) {
        await park(raw, 'send_failed');
        return 'undeliverable';
      }
      return 'retry';
    }
  }

  /** Read one batch and deliver it; returns the outcomes (for tests and metrics). */
  async function deliverBatch(): Promise<DeliveryOutcome[]> {
    const batch = await services.outbox.readChannel('wechat', group, consumer, { count: 20 });
    const outcomes: DeliveryOutcome[] = [];
    for (const m of batch) outcomes.push(await deliver(m)); // in order, one contact's replies stay ordered
    return outcomes;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  // A stop() during an in-flight batch must not leave that loop alive after a later start().
  let generation = 0;
  const loop = async (gen: number) => {
    if (!running || gen !== generation) return;
    try {
      if (isLoggedIn(bot)) await deliverBatch();
    } catch (err) {
      opts.onError(err, { stage: 'delivery_poll' });
    }
    if (running && gen === generation) timer = setTimeout(() => void loop(gen), pollMs);
  };

  return {
    deliverBatch,
    start() {
      if (running) return;
      running = true;
      const gen = ++generation;
      timer = setTimeout(() => void loop(gen), 0);
    },
    stop() {
      running = false;
      generation++;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
