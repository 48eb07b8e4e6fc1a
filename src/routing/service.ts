import type { DepartmentDirectory } from '../knowledge/departments.js';
import { createRouter, trainRoutingModel, type HistoryExample, type RouteResult, type Router, type RoutingModel } from './model.js';
import type { RoutingModelStore } from './store.js';

/** Department routing as the service uses it. */
export interface RoutingService {
  /** Best department for a citizen's message, with confidence and the top candidates. */
  route(text: string): RouteResult;
  /**
   * Load the model persisted by `npm run import:history` (at start-up, and after an import).
   * Keeps the current router when the store has no model; throws when the store fails.
   */
  reload(): Promise<{ historyCount: number; trainedAt?: string }>;
  /** History examples behind the router in use (0 = directory only). */
  readonly historyCount: number;
}

// The directory-only router is trained once per directory (Workers build services per request).
const directoryRouters = new WeakMap<DepartmentDirectory, Router>();
function directoryRouter(directory: DepartmentDirectory): Router {
  let r = directoryRouters.get(directory);
  if (!r) directoryRouters.set(directory, (r = createRouter({ directory })));
  return r;
}

/**
 * Routing from the directory alone until {@link RoutingService.reload} finds a learned model.
 * @example
 * const routing = createRoutingService(directory, createRedisRoutingModelStore(redis, prefix));
 * await routing.reload();
 * routing.route('开发商迟迟不交房').department // 'housing'
 */
export function createRoutingService(directory: DepartmentDirectory, store: RoutingModelStore): RoutingService {
  let router = directoryRouter(directory);
  let trainedAt: string | undefined;
  return {
    route: (text) => router.route(text),
    get historyCount() {
      return router.historyCount;
    },
    async reload() {
      const model = await store.loadModel();
      if (model) {
        router = createRouter({ directory, model });
        trainedAt = model.trainedAt;
      }
      return { historyCount: router.historyCount, ...(trainedAt ? { trainedAt } : {}) };
    },
  };
}

/**
 * Add history to the store and retrain on everything stored plus the directory; the new
 * model is saved for every service instance to load. Returns what the import changed.
 */
export async function importHistory(
  store: RoutingModelStore,
  directory: DepartmentDirectory,
  examples: HistoryExample[],
  now: Date = new Date(),
): Promise<{ added: number; total: number; model: RoutingModel; trainMs: number }> {
  const { added, total } = await store.addHistory(examples);
  const history = await store.history();
  const t0 = performance.now();
  const model = trainRoutingModel({ directory, history, now });
  const trainMs = performance.now() - t0;
  await store.saveModel(model);
  return { added, total, model, trainMs };
}
