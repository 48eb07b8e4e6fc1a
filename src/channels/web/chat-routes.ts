import { Hono } from 'hono';
import { z } from 'zod';
import { runTurn } from '../../dialogue/runner.js';
import { CONTROL_CHARS, validate } from '../../http/validate.js';
import type { Services } from '../../services.js';

export const MAX_MESSAGE_CHARS = 2000;

export const chatRequestSchema = z.object({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '会话编号格式不正确').optional(),
  message: z
    .string({ error: 'message 必须是字符串' })
    // Control characters are refused before trimming, so "\v!" is not silently accepted as "!".
    .refine((s) => !CONTROL_CHARS.test(s), '消息含有不允许的控制字符')
    .transform((s) => s.trim())
    .pipe(
      z.string()
        .min(1, '消息不能为空')
        .max(MAX_MESSAGE_CHARS, `消息不能超过${MAX_MESSAGE_CHARS}个字`),
    ),
}).strict();

/** `POST /api/chat`: the web chat's turn endpoint. */
export function chatRoutes(services: Services) {
  return new Hono().post('/', validate('json', chatRequestSchema), async (c) => {
    const body = c.req.valid('json');
    const sessionId = body.sessionId ?? crypto.randomUUID().replace(/-/g, '');
    const result = await runTurn(services, {
      sessionId,
      channel: 'web',
      citizenRef: `web:${sessionId}`,
      message: body.message,
    });
    const first = result.replies[0];
    return c.json({
      sessionId,
      reply: first,
      replies: result.replies,
      intent: result.intent,
      action: result.action,
      /** Turn number within the session: `POST /api/feedback {sessionId, turn, useful}` rates it. */
      turn: result.state.turn,
    });
  });
}
