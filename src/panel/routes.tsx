import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from '../http/body-limit.js';
import { loadUserSession, originCheck, requireCsrfToken, type SessionEnv } from '../auth/session-http.js';
import { z } from 'zod';
import { AppError, describeZodError, errorResponse } from '../http/errors.js';
import type { Services } from '../services.js';
import { CHARTS_JS, PANEL_CSS, PANEL_JS } from './assets.js';
import { ErrorPage } from './layout.js';
import { loginRoutes } from './login.js';
import { searchRoutes } from './search.js';
import { agentCasePages } from './case-pages.js';
import { deptPages } from './dept-pages.js';
import { kpiPages } from './kpi-page.js';
import { topicPages } from './topics-page.js';
import { VENDOR_PATHS } from './static-assets.js';

const ASSET_CACHE = 'public, max-age=300';

/**
 * Cookie sessions for the whole app: loads `c.var.user` and demands the session's CSRF token on
 * state-changing requests that carry the cookie (pages and `/api/*` alike). Mount before routes.
 * Form posts outside `/api/*` (which has its own limit) are capped at 64 KiB here, before the
 * token check reads the body.
 */
export function userSessionMiddleware(services: Services): MiddlewareHandler<SessionEnv> {
  const load = loadUserSession(services);
  const token = requireCsrfToken();
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new AppError(413, 'payload_too_large', '提交内容过大');
    },
  });
  return async (c, next) => {
    const limited = !/^(GET|HEAD|OPTIONS)$/.test(c.req.method) && !c.req.path.startsWith('/api/');
    await load(c, async () => {
      if (limited) {
        await limit(c, async () => {
          await token(c, next);
        });
      }
      else await token(c, next);
    });
  };
}

/** Paths of the staff web interface (the citizen chat at `/` is not among them). */
export const PANEL_PATHS = ['/login', '/logout', '/panel', '/panel/*', '/dept', '/dept/*'];

/**
 * The staff web interface: sign-in, agent panel, department inbox, dashboards and their assets.
 * Expects {@link userSessionMiddleware} to run first (mounted in `createApp`).
 */
export function panelRoutes(services: Services) {
  const app = new Hono<SessionEnv>();
  const origin = originCheck(services);
  // Pages hold case details and contacts: never kept by the browser or a shared cache.
  const noStore: MiddlewareHandler = async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  };
  for (const p of PANEL_PATHS) app.use(p, origin, noStore);

  app.get('/panel/assets/panel.css', (c) => c.body(PANEL_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': ASSET_CACHE }));
  app.get('/panel/assets/panel.js', (c) => c.body(PANEL_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': ASSET_CACHE }));
  app.get('/panel/assets/charts.js', (c) => c.body(CHARTS_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': ASSET_CACHE }));
  app.get(VENDOR_PATHS.echarts, async (c) => {
    const res = await services.assets?.fetch(VENDOR_PATHS.echarts);
    if (!res) throw new AppError(404, 'not_found', '静态文件不存在');
    return res;
  });

  app.route('/', loginRoutes(services));
  app.route('/', searchRoutes(services));
  app.route('/', agentCasePages(services));
  app.route('/', deptPages(services));
  app.route('/', kpiPages(services));
  app.route('/', topicPages(services));

  // Pages answer errors with a page; fragments and JSON callers get the usual JSON body.
  app.onError((err, c) => {
    const wantsPage = (c.req.header('accept') ?? '').includes('text/html') && !c.req.path.startsWith('/panel/results');
    if (err instanceof AppError && wantsPage) {
      return c.html(<ErrorPage user={c.get('user')} status={err.status} message={err.message} />, err.status);
    }
    if (err instanceof z.ZodError && wantsPage) {
      return c.html(<ErrorPage user={c.get('user')} status={400} message={`请求参数有误：${describeZodError(err)}`} />, 400);
    }
    return errorResponse(err, c, (e) => services.logger.error('unhandled error', { err: e, path: c.req.path }));
  });
  return app;
}
