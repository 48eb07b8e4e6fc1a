import { WechatyBuilder, log as wechatyLog, type Wechaty } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { createYihaodaPlugin, type YihaodaBotPlugin, type YihaodaPluginOptions } from '../../src/channels/wechat/plugin.js';
import type { Services } from '../../src/services.js';

wechatyLog.level('silent');

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;
type MessageMock = InstanceType<mock.Mocker['MessageMock']>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Texts the bot sent into one conversation (a contact's private chat or a room). */
export interface Inbox {
  texts: string[];
  /** Wait until at least `n` texts arrived; fails after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<string[]>;
}

export interface MockBot {
  bot: Wechaty;
  plugin: YihaodaBotPlugin;
  mocker: mock.Mocker;
  self: ContactMock;
  /** A citizen contact (friend of the bot unless told otherwise). */
  contact(name: string, extra?: Record<string, unknown>): ContactMock;
  room(topic: string, members: ContactMock[]): RoomMock;
  /** Collect what the bot sends to `conversation`. */
  inbox(conversation: ContactMock | RoomMock): Inbox;
  /** Let every in-flight message handler finish (for "nothing was sent" assertions). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Wechaty runtime on wechaty-puppet-mock (simulated network), logged in as "一号答",
 * with our plugin installed against the given services.
 */
export async function startMockBot(services: Services, options: YihaodaPluginOptions = {}): Promise<MockBot> {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const bot = WechatyBuilder.build({ puppet });
  const plugin = createYihaodaPlugin(services, { delivery: { pollMs: 50 }, ...options });
  bot.use(plugin);
  await bot.start();
  const self = mocker.createContact({ name: '一号答' });
  const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()));
  mocker.login(self);
  await loggedIn;

  return {
    bot,
    plugin,
    mocker,
    self,
    contact: (name, extra = {}) => mocker.createContact({ name, ...extra }),
    room: (topic, members) => mocker.createRoom({ topic, memberIdList: [self.id, ...members.map((m) => m.id)] }),
    inbox(conversation) {
      const texts: string[] = [];
      (conversation as unknown as { on(e: 'message', f: (m: MessageMock) => void): void }).on('message', (m) => {
        // Conversations also see their own messages; keep only what the bot said.
        if (m.payload.talkerId === self.id && m.payload.text !== undefined) texts.push(m.payload.text);
      });
      return {
        texts,
        async waitFor(n, timeoutMs = 15_000) {
          const until = Date.now() + timeoutMs;
          while (texts.length < n) {
            if (Date.now() > until) throw new Error(`expected ${n} bot messages, got ${texts.length}: ${JSON.stringify(texts)}`);
            await sleep(20);
          }
          return texts;
        },
      };
    },
    async settle() {
      await sleep(300);
      await plugin.idle();
    },
    async stop() {
      await bot.stop();
    },
  };
}

/**
 * Make a mock contact send the bot a message the mock's `say()` cannot produce: an explicit
 * timestamp (history sync) or another type (transfer, location, mini-program).
 */
export function sayAt(m: MockBot, from: ContactMock, text: string, timestamp: number, type = m.bot.Message.Type.Text) {
  const msg = m.mocker.MessageMock.create({
    id: `raw-${Math.random().toString(36).slice(2)}`,
    talkerId: from.id,
    listenerId: m.self.id,
    timestamp,
    type,
    text,
  });
  m.mocker.puppet.emit('message', { messageId: msg.id });
}
