import { Hono } from 'hono';
import { bodyLimit } from './http/body-limit.js';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { agentCaseRoutes } from './cases/routes/agent-routes.js';
import { deptCaseRoutes } from './cases/routes/dept-routes.js';
import { caseKpiRoutes } from './cases/routes/report-routes.js';
import { chatRoutes } from './channels/web/chat-routes.js';
import { chatUpdatesRoutes } from './channels/web/updates-routes.js';
import { webPageRoutes } from './channels/web/page-routes.js';
import { AppError, errorResponse } from './http/errors.js';
import { createHttpLimits } from './http/limits.js';
import { panelRoutes, userSessionMiddleware } from './panel/routes.js';
import type { Services } from './services.js';
import { feedbackRoutes, topicRoutes } from './topics/routes.js';

/** Build the HTTP app from services. No runtime-specific imports: runs on Node and Workers. */
export function createApp(services: Services) {
  const app = new Hono();
  app.use(requestId());
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new AppError(413, 'payload_too_large', '请求内容过大');
      },
    }),
  );

  // Rate limits before any work (and before the panel's session lookup): per IP, per session.
  const limits = createHttpLimits({
    config: services.config, redis: services.redis, logger: services.logger, now: () => services.clock.now().getTime(),
  });
  app.use('/api/chat', limits.chat);
  app.use('/login', limits.login);

  app.use(userSessionMiddleware(services));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks = await services.readiness();
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  app.route('/api/chat', chatRoutes(services));
  app.route('/api/chat', chatUpdatesRoutes(services));
  app.route('/api/cases', agentCaseRoutes(services));
  app.route('/api/dept', deptCaseRoutes(services));
  app.route('/api/reports', caseKpiRoutes(services));
  app.route('/api/topics', topicRoutes(services));
  app.route('/api/feedback', feedbackRoutes(services));
  app.route('/', panelRoutes(services));
  app.route('/', webPageRoutes());

  app.notFound((c) => c.json({ error: { code: 'not_found', message: '接口不存在' } }, 404));
  app.onError((err, c) => errorResponse(err, c, (e) => services.logger.error('unhandled error', { err: e, path: c.req.path })));
  return app;
}
