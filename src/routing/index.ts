export { createRouter, trainRoutingModel, type HistoryExample, type RouteCandidate, type RouteResult, type Router, type RoutingModel } from './model.js';
export { parseCategoryMap, parseHistory, toHistoryExamples, type CategoryMap, type LabelledMessage } from './history.js';
export { createRedisRoutingModelStore, loadRoutingModel, type RoutingModelStore } from './store.js';
export { createRoutingService, importHistory, type RoutingService } from './service.js';
