import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../src/app.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { CONTRACT_SETTINGS, describeRuntimeContract } from './runtime-contract.js';

let services: TestServices;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  services = await testServices({ config: { ...CONTRACT_SETTINGS } });
  app = createApp(services);
});
afterAll(() => services.cleanup());

describeRuntimeContract('Node (app.request over testServices)', () => async (path, init) => app.request(path, init));
