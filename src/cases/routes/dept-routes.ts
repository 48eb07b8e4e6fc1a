import { Hono } from 'hono';
import { authenticate, requireRole, type AuthEnv } from '../../auth/principal.js';
import { validate } from '../../http/validate.js';
import type { Services } from '../../services.js';
import { extensionRequestSchema, listQuerySchema, noteSchema, reasonSchema, replySchema } from './schemas.js';

/**
 * `/api/dept/...`: a department's inbox. Auth: `Authorization: Bearer <department token>`.
 * Every lookup is scoped to the token's department: another department's case answers 404,
 * exactly like a case that does not exist.
 */
export function deptCaseRoutes(services: Services) {
  const cases = services.cases;
  return new Hono<AuthEnv>()
    .use(authenticate(services.auth.resolvers), requireRole('dept'))
    .get('/cases', validate('query', listQuerySchema), async (c) => c.json(await cases.list(c.req.valid('query'), c.get('principal'))))
    .get('/cases/:number', async (c) => {
      const n = c.req.param('number');
      const p = c.get('principal');
      return c.json({ case: await cases.view(n, p), audit: await cases.audit(n, p) });
    })
    .get('/cases/:number/contact', async (c) => c.json({ contact: (await cases.revealContact(c.req.param('number'), c.get('principal'))) ?? null }))
    .post('/cases/:number/accept', validate('json', noteSchema), async (c) =>
      c.json({ case: await cases.accept(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/cases/:number/reply', validate('json', replySchema), async (c) =>
      c.json({ case: await cases.reply(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/cases/:number/return', validate('json', reasonSchema), async (c) =>
      c.json({ case: await cases.returnCase(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/cases/:number/extension', validate('json', extensionRequestSchema), async (c) =>
      c.json({ case: await cases.requestExtension(c.req.param('number'), c.req.valid('json'), c.get('principal')) }));
}
