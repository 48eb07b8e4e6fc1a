import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { casesFromConfig } from '../../src/cases/wiring.js';
import { fixedClock } from '../../src/clock.js';
import { createRedis } from '../../src/store/redis.js';
import { testServices, type TestServices } from '../helpers/services.js';

/** Case numbers are unique per day across processes: two clients (as two service processes) on one Redis. */
let s: TestServices;
beforeAll(async () => {
  s = await testServices({ indexKnowledge: false, clock: fixedClock('2021-11-05T09:00:00+08:00') });
});
afterAll(() => s.cleanup());

describe('case numbers under concurrency (real Redis, two clients)', () => {
  it('never repeats a number and numbers each day from 0001', async () => {
    const other = createRedis(inject('redisUrl'));
    try {
      const second = casesFromConfig({ ...s, redis: other });
      const agent = { kind: 'agent' as const, id: 'a' };
      const input = (i: number) => ({ type: 'help' as const, summary: `并发${i}`, channel: 'panel' as const, citizenRef: `panel:c${i}`, idempotencyKey: `conc-${i}` });
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? s.cases : second).create(input(i), agent)),
      );
      const numbers = results.map((r) => r.case.number);
      expect(new Set(numbers).size).toBe(60);
      expect(numbers.every((n) => /^20211105-\d{4}$/.test(n))).toBe(true);
      expect(numbers.map((n) => Number(n.slice(9))).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      // Each process can read what the other created.
      expect((await second.get(numbers[0]!))?.summary).toBe('并发0');
      // The next day starts again at 0001, still unique because the date differs.
      (s.clock as ReturnType<typeof fixedClock>).set('2021-11-06T00:00:01+08:00');
      expect((await second.create(input(100), agent)).case.number).toBe('20211106-0001');
    } finally {
      other.disconnect();
    }
  });
});
