import { Hono } from 'hono';
import { authenticate, requireRole, type AuthEnv } from '../../auth/principal.js';
import { validate } from '../../http/validate.js';
import type { Services } from '../../services.js';
import { kpiQuerySchema } from './schemas.js';

/** `GET /api/reports/kpi?from=YYYY-MM-DD&to=YYYY-MM-DD`: per-department case KPIs (agents, admins). */
export function caseKpiRoutes(services: Services) {
  return new Hono<AuthEnv>()
    .use('/kpi', authenticate(services.auth.resolvers), requireRole('agent', 'admin'))
    .get('/kpi', validate('query', kpiQuerySchema), async (c) => {
      const { from, to } = c.req.valid('query');
      return c.json(await services.cases.kpi(from, to));
    });
}
