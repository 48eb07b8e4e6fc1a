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

  it('restarts a puppet that goes quiet, and leaves a healthy one alone', async () => {
    const bot = new FakeBot(0);
    const sup = superviseBot(bot, { logger, stallMs: 40, checkEveryMs: 10, minDelayMs: 1, maxDelayMs: 5 });
    await sup.start();
    await sleep(150);
    expect(sup.restarts).toBeGreaterThan(0);
    expect(bot.stops).toBeGreaterThan(0);

    // Logged in: no more restarts however long it stays quiet.
    bot.isLoggedIn = true;
    bot.emit('login');
    await sleep(30);
    const before = sup.restarts;
    await sleep(150);
    expect(sup.restarts).toBe(before);

    // A logout followed by a fresh QR code is normal life, not a stall.
    bot.isLoggedIn = false;
    bot.emit('logout');
    for (let i = 0; i < 8; i++) {
      bot.emit('scan');
      await sleep(20);
    }
    expect(sup.restarts).toBe(before);
    await sup.stop();
  });
});
