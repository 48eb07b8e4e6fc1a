import { Hono } from 'hono';
import { authenticate, requireRole, type AuthEnv } from '../../auth/principal.js';
import { validate } from '../../http/validate.js';
import type { Services } from '../../services.js';
import {
  createCaseSchema, dispatchSchema, extensionDecisionSchema, feedbackSchema, idempotencyKey, listQuerySchema, noteSchema, reasonSchema,
} from './schemas.js';
import { z } from 'zod';

/**
 * `/api/cases/...`: hotline agents (and admins) create cases for callers and drive the workflow.
 * Auth: `Authorization: Bearer <agent token>`.
 */
export function agentCaseRoutes(services: Services) {
  const cases = services.cases;
  return new Hono<AuthEnv>()
    .use(authenticate(services.auth.resolvers), requireRole('agent', 'admin'))
    .post('/', validate('json', createCaseSchema), validate('header', z.object({ 'idempotency-key': idempotencyKey.optional() })), async (c) => {
      const body = c.req.valid('json');
      const p = c.get('principal');
      const key = c.req.valid('header')['idempotency-key'];
      const { case: view, created } = await cases.create(
        {
          ...body,
          citizenRef: body.citizenRef ?? `panel:${crypto.randomUUID()}`,
          // Namespaced per agent so one agent's keys never collide with another's or the chat's.
          idempotencyKey: key ? `agent:${p.id}:${key}` : `agent:${p.id}:${crypto.randomUUID()}`,
        },
        p,
      );
      return c.json({ case: view, created }, created ? 201 : 200);
    })
    .get('/', validate('query', listQuerySchema), async (c) => c.json(await cases.list(c.req.valid('query'), c.get('principal'))))
    .get('/overdue', async (c) => c.json({ items: await cases.listOverdue(c.get('principal')) }))
    .get('/near-due', async (c) => c.json({ items: await cases.listNearDue(c.get('principal')) }))
    .get('/:number', async (c) => {
      const n = c.req.param('number');
      const p = c.get('principal');
      return c.json({ case: await cases.view(n, p), audit: await cases.audit(n, p) });
    })
    .get('/:number/contact', async (c) => c.json({ contact: (await cases.revealContact(c.req.param('number'), c.get('principal'))) ?? null }))
    .post('/:number/dispatch', validate('json', dispatchSchema), async (c) =>
      c.json({ case: await cases.dispatch(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/:number/extension', validate('json', extensionDecisionSchema), async (c) =>
      c.json({ case: await cases.decideExtension(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/:number/urge', validate('json', noteSchema), async (c) =>
      c.json({ case: await cases.urge(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/:number/close', validate('json', noteSchema), async (c) =>
      c.json({ case: await cases.close(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/:number/feedback', validate('json', feedbackSchema), async (c) =>
      c.json({ case: await cases.feedback(c.req.param('number'), c.req.valid('json'), c.get('principal')) }))
    .post('/:number/reopen', validate('json', reasonSchema), async (c) =>
      c.json({ case: await cases.reopen(c.req.param('number'), c.req.valid('json'), c.get('principal')) }));
}
