import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { superviseBot, type SupervisedBot } from './supervisor.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stand-in bot: a puppet whose start fails `failStarts` times and that never shows a QR code. */
class FakeBot implements SupervisedBot {
  private listeners = new Map<string, Array<() => void>>();
  on(event: string, listener: () => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string) {
    for (const l of this.listeners.get(event) ?? []) l();
  }
  starts = 0;
  stops = 0;
  isLoggedIn = false;
  constructor(private failStarts: number) {}
  async start() {
    this.starts++;
    if (this.failStarts-- > 0) throw new Error('puppet unreachable');
  }
  async stop() {
    this.stops++;
  }
}

const logger = createLogger('silent');

describe('superviseBot', () => {
  it('retries a failing start with back-off', async () => {
    const bot = new FakeBot(2);
    const sup = superviseBot(bot, { logger, minDelayMs: 5, maxDelayMs: 20 });
    await sup.start();
    expect(bot.starts).toBe(3);
    await sup.stop();
  });

  it('restarts a puppet that goes quiet', async () => {
    const bot = new FakeBot(0);
    const sup = superviseBot(bot, { logger, stallMs: 40, checkEveryMs: 10, minDelayMs: 1, maxDelayMs: 5 });
    await sup.start();
    await sleep(200);
    expect(sup.restarts).toBeGreaterThan(0);
    expect(bot.stops).toBeGreaterThan(0);
    await sup.stop();
  });

  it('leaves a logged-in bot, and one showing fresh QR codes, alone', async () => {
    const bot = new FakeBot(0);
    const sup = superviseBot(bot, { logger, stallMs: 300, checkEveryMs: 10, minDelayMs: 1, maxDelayMs: 5 });
    await sup.start();
    bot.isLoggedIn = true;
    bot.emit('login');
    await sleep(450); // quiet for longer than stallMs, but logged in
    expect(sup.restarts).toBe(0);

    // A logout followed by new QR codes is normal life, not a stall.
    bot.isLoggedIn = false;
    bot.emit('logout');
    for (let i = 0; i < 10; i++) {
      await sleep(45);
      bot.emit('scan');
    }
    expect(sup.restarts).toBe(0);
    await sup.stop();
  });
});
