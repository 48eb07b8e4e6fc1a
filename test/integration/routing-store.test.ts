import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/routing/model.js';
import { importHistory } from '../../src/routing/service.js';
import { createRedisRoutingModelStore, loadRoutingModel, type RoutingModelStore } from '../../src/routing/store.js';
import { testServices, type TestServices } from '../helpers/services.js';

let services: TestServices;
let store: RoutingModelStore;

beforeAll(async () => {
  services = await testServices({ indexKnowledge: false });
  store = createRedisRoutingModelStore(services.redis, services.config.REDIS_PREFIX);
});
afterAll(() => services.cleanup());

// A convention only history can teach: broken lights go to transport in this test district.
const history = Array.from({ length: 40 }, (_, i) => ({ text: `${i}号楼门口的路灯坏了，晚上一片黑`, departments: ['transport'] }));

describe('routing model persisted in Redis', () => {
  it('starts without a model and routes by the directory', async () => {
    expect(await loadRoutingModel(services.redis, services.config.REDIS_PREFIX)).toBeUndefined();
    expect(await services.routing.reload()).toEqual({ historyCount: 0 });
    expect(services.routing.route('我想申请低保').department).toBe('civil');
  });

  it('imports history once per message and saves a model that round-trips exactly', async () => {
    const first = await importHistory(store, services.directory, history);
    expect(first).toMatchObject({ added: 40, total: 40 });
    const again = await importHistory(store, services.directory, history.slice(0, 10));
    expect(again).toMatchObject({ added: 0, total: 40 });

    const loaded = await loadRoutingModel(services.redis, services.config.REDIS_PREFIX);
    expect(loaded).toEqual(JSON.parse(JSON.stringify(again.model)));
    const fromStore = createRouter({ directory: services.directory, model: loaded! });
    const inMemory = createRouter({ directory: services.directory, model: again.model });
    for (const t of ['楼前的灯坏了', '医保怎么报销', '物业乱收费']) expect(fromStore.route(t)).toEqual(inMemory.route(t));
  });

  it('is what the service routes with after reload', async () => {
    expect(services.routing.route('楼前的灯坏了').department).not.toBe('transport');
    const r = await services.routing.reload();
    expect(r.historyCount).toBe(40);
    expect(r.trainedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(services.routing.route('楼前的灯坏了').department).toBe('transport');
    expect(services.routing.route('我想申请低保').department).toBe('civil');
  });

  it('keeps history sorted and clears on request', async () => {
    const h = await store.history();
    expect(h).toHaveLength(40);
    expect(h.map((e) => e.text)).toEqual([...h.map((e) => e.text)].sort());
    await store.clear();
    expect(await store.history()).toEqual([]);
    expect(await store.loadModel()).toBeUndefined();
  });

  it('refuses a stored value that is not a routing model', async () => {
    await services.redis.set(`${services.config.REDIS_PREFIX}routing:model`, JSON.stringify({ version: 9 }));
    await expect(store.loadModel()).rejects.toThrow(/not hold a routing model/);
    await services.redis.del(`${services.config.REDIS_PREFIX}routing:model`);
  });
});
