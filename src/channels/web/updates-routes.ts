import { Hono } from 'hono';
import { z } from 'zod';
import { validate } from '../../http/validate.js';
import type { Services } from '../../services.js';

const updatesQuery = z.object({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '会话编号格式不正确'),
  after: z.string().regex(/^\d{1,20}-\d{1,20}$/, 'after 格式不正确').optional(),
}).strict();

/**
 * `GET /api/chat/updates?sessionId=&after=`: late messages (a department's reply to a case)
 * for the web chat session, after the last id the page has seen. The session id is the
 * citizen's bearer secret, as for `POST /api/chat`.
 */
export function chatUpdatesRoutes(services: Services) {
  return new Hono().get('/updates', validate('query', updatesQuery), async (c) => {
    const { sessionId, after } = c.req.valid('query');
    const messages = await services.outbox.inbox(`web:${sessionId}`, after, 50);
    c.header('cache-control', 'no-store');
    return c.json({
      messages: messages.map((m) => ({ id: m.id, kind: m.kind, text: m.text, at: m.at, ...(m.caseNumber ? { caseNumber: m.caseNumber } : {}) })),
      last: messages.at(-1)?.id ?? after ?? null,
    });
  });
}
